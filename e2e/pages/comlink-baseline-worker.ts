/// <reference lib="dom" />
/**
 * The baseline of the worker benchmark (scripts/bench-worker.ts): what one would write by hand
 * with Comlink — an in-process @lodis/core store in a plain module worker, and one Comlink call
 * (one postMessage each way) per command, no batching.
 */
import * as Comlink from 'comlink';
import { createStore } from '@lodis/core';
import type { ComlinkBaselineApi } from './bench-worker-api.js';

const store = createStore();

const api: ComlinkBaselineApi = {
  call: (...argv) => store.call(...argv),
};

Comlink.expose(api);
