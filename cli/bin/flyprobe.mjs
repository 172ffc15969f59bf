#!/usr/bin/env node
// Registers tsx so the CLI runs straight from its TypeScript sources (no build step in the image).
import { register } from 'tsx/esm/api';

register();
const { runProcess } = await import('../src/main.ts');
await runProcess();
