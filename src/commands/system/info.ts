import type { CommandDef } from '../types.js';
// placeholder during development: replaced by the real command
const def: CommandDef = { handler: () => { throw new Error('not yet'); } };
export default def;
