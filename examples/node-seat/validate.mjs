// Validate an AsyncAPI document with the AsyncAPI Initiative's own parser.
// usage: node validate.mjs FILE.json   -> prints {"errors": N, "warnings": N, "diagnostics": [...]}; exit 1 on errors
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], "utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
const warnings = diagnostics.filter((d) => d.severity === 1);
console.log(JSON.stringify({
  errors: errors.length,
  warnings: warnings.length,
  channels: document ? document.channels().length : 0,
  operations: document ? document.operations().length : 0,
  diagnostics: diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, path: d.path.join(".") })),
}, null, 1));
process.exit(errors.length || !document ? 1 : 0);
