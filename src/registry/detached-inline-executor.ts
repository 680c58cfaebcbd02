// InlineExecutor's outputs are views into an operator instance's memory, valid only until that
// instance runs again. Between a segment and the response (or the next segment, after a reduce)
// other requests' segments run, so this wrapper copies each output out inside the same
// synchronous step. Costs one copy of the segment output; ThreadExecutor needs no such thing.
import type { InlineExecutor, OperatorStage, SegmentExecutor, SegmentResult } from "../chain/index.ts";
import { decodeBatch, encodeSlices } from "../columnar/index.ts";
import type { OperatorBatch } from "../wasm/index.ts";

/** A SegmentExecutor over `inline` whose outputs live in fresh memory. */
export class DetachedInlineExecutor implements SegmentExecutor {
  readonly #inline: InlineExecutor;

  constructor(inline: InlineExecutor) {
    this.#inline = inline;
  }

  runSegment(stages: readonly OperatorStage[], input: OperatorBatch): Promise<SegmentResult> {
    return Promise.resolve().then(() => {
      const result = this.#inline.runSegmentSync(stages, input);
      return { ...result, output: copyOut(result.output) };
    });
  }
}

/** A copy of `batch` in fresh memory, contiguous in its own format. */
function copyOut(batch: OperatorBatch): OperatorBatch {
  // copy: detaches the output from the operator instance's linear memory
  const bytes = batch.bytes !== undefined ? batch.bytes.slice() : encodeSlices(batch.slices, batch.format);
  return decodeBatch(bytes, batch.schema, { format: batch.format });
}
