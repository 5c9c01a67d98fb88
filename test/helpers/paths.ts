/** Where the rig finds things, independent of the cwd vitest runs in. */
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
/** Holds `mylib.py`; every Python process the rig starts gets it on PYTHONPATH. */
export const PYTHON_DIR = `${REPO_ROOT}/test/python`;
/** The dataflow helper module (`rqts_dataflow.py`) the package ships; on every Python process's path too. */
export const HELPER_DIR = `${REPO_ROOT}/python`;
/** Written by `scripts/bootstrap.sh`. */
export const RQ_MANIFEST = `${REPO_ROOT}/.venv/rq-versions.json`;
