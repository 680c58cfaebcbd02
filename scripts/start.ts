// `npm start`: the main job. Until the runtime lands (issue #5) it runs the codec on the spec's
// worked example and says which parts are not there yet.
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  formatSchema,
  parseSchema,
  rowsToColumn,
} from "../src/columnar/index.ts";

const schema = parseSchema("(String, i64)");
const rows = [
  ["hello", 1],
  ["world", -2],
  ["", 3],
];
for (const format of ["0.1", "0.12"] as const) {
  const body = encodeBatch(rowsToColumn(schema, rows), { format });
  const back = columnToRows(schema, decodeBatch(body, schema, { format }).column);
  console.log(`${formatSchema(schema)} in format ${format}: ${body.length} bytes -> ${JSON.stringify(back)}`);
}
console.log("runtime (workerd + Deno), operator chain demo: not yet (issues #4, #5)");
