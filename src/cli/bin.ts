#!/usr/bin/env node
import { config } from 'zod';
import { main } from './main.js';

// This process parses one manifest, once: zod's JIT (a checker compiled with `new Function` at
// an object schema's first parse) costs it more than it saves (~10 ms of a 150 ms `validate`).
// Only the command sets this; the library never touches zod's global configuration.
config({ jitless: true });

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`mcp-auth: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
