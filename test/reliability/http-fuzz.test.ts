// Seeded HTTP fuzz (issue #9; the long run is scripts/fuzz.ts): random schemas, mutated bodies,
// absurd length words and wrong headers. Every answer is a 4xx problem+json or a correct 200
// (test/reliability/http-cases.ts), never a 5xx or a hang: in volume through the in-process app,
// then a few hundred cases against real workerd and real Deno. The seed is printed; re-run a
// failure with COLWASM_TEST_SEED=<seed>.
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { ADMIN, makeApp, operatorWasm } from "../http/app-fixture.ts";
import { checkAnswer, httpCaseArbitrary, requestCase, sendCase } from "./http-cases.ts";
import { buildWorker, RUNTIMES, startRuntime, type TestRuntime } from "./runtimes.ts";

const SEED = Number(process.env.COLWASM_TEST_SEED ?? Date.now() % 2 ** 31);
const IN_PROCESS_RUNS = Number(process.env.COLWASM_FUZZ_RUNS ?? 4000);
const RUNTIME_RUNS = Number(process.env.COLWASM_FUZZ_RUNTIME_RUNS ?? 300);
const TIMEOUT_MS = 10_000;

const cases = () => httpCaseArbitrary({ adminToken: ADMIN, moduleBytes: operatorWasm("identity") });

describe(`HTTP fuzz (seed ${SEED})`, () => {
  test(`${IN_PROCESS_RUNS} requests through the in-process app answer 4xx problems or correct 200s (seed ${SEED})`, async () => {
    const app = await makeApp({ auth: { adminToken: ADMIN } });
    await fc.assert(
      fc.asyncProperty(cases(), async (c) => {
        checkAnswer(c, await requestCase(app, c, TIMEOUT_MS));
      }),
      { numRuns: IN_PROCESS_RUNS, seed: SEED, endOnFailure: true },
    );
  });

  for (const kind of RUNTIMES) {
    describe(`against ${kind}`, { timeout: 180_000 }, () => {
      let runtime: TestRuntime;

      before(async () => {
        runtime = await startRuntime(kind, {
          vars: {
            COLWASM_ADMIN_TOKEN: ADMIN,
            COLWASM_MAX_BODY_BYTES: String(1 << 20),
            COLWASM_MAX_STAGES: "8",
          },
          bundleDir: kind === "workers" ? buildWorker("worker-reliability-fuzz") : undefined,
        });
      });

      after(async () => {
        await runtime?.stop();
      });

      test(
        `${RUNTIME_RUNS} requests answer 4xx problems or correct 200s (seed ${SEED})`,
        { timeout: 150_000 },
        async () => {
          await fc.assert(
            fc.asyncProperty(cases(), async (c) => {
              checkAnswer(c, await sendCase(runtime.url, c, TIMEOUT_MS));
            }),
            // shrinking replays cases against a live server: keep it short, the seed reproduces it
            { numRuns: RUNTIME_RUNS, seed: SEED + 1, endOnFailure: true, maxSkipsPerRun: 0 },
          );
        },
      );
    });
  }
});
