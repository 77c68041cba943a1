// The browser.store CTest fixture: makes GPSI_BROWSER_STORE/s.db from the shared data and the
// method's validation in GPSI_BROWSER_STORE/validation (served at /api/v1/validation) once per
// ctest run, for every tests/browser/*.test.mjs (harness.mjs makeStore, makeValidation).
import { makeStore, makeValidation } from './harness.mjs';

const dir = process.env.GPSI_BROWSER_STORE;
if (!dir) {
  console.error('make_store.mjs: set GPSI_BROWSER_STORE to the folder of the store');
  process.exit(2);
}
const t0 = Date.now();
const db = makeStore(dir);
const validation = makeValidation(db);
console.log(`store ${db} and ${validation} made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
