// Types of the part of cli-progress 3.12 the CLI uses (the package ships no types; `@types/cli-progress`
// would replace this file).
declare module "cli-progress" {
  interface Options {
    format?: string;
    stream?: NodeJS.WritableStream;
    fps?: number;
    etaBuffer?: number;
    hideCursor?: boolean | null;
    clearOnComplete?: boolean;
    barsize?: number;
    noTTYOutput?: boolean;
  }
  export class SingleBar {
    constructor(options: Options, preset?: object);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  export const Presets: { readonly shades_classic: object; readonly rect: object };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
