// A cold `/access` command: a fresh Node process that signs one slash command (Slack's request arrives signed, so that
// is not the handler's time), imports the slackCommands handler and invokes it once, against the running stack's
// environment and the bench's fake Slack. It reports when it started importing (epoch ms), so the bench can time
// "import to views.open received" from the fake Slack's record of the call. The module cache and every per-container
// cache start empty, as in a new Lambda sandbox.
import { coldSlackScript } from '../lib/coldSlackScript.js';

export interface ColdCommandSample {
  /** Epoch ms (sub-millisecond) at which the import began. */
  startedAtMs: number;
  importMs: number;
  invokeMs: number;
  totalMs: number;
  statusCode: number;
  body: string;
}

export const COLD_COMMAND_SCRIPT = coldSlackScript({
  path: '/slack/commands',
  functionName: 'slackCommands',
  rawBodyExpression: 'env.BENCH_COMMAND_BODY',
});
