import { startBotUnderTest } from '../test/bot/botHarness.js';
const t0 = Date.now();
const h = await startBotUnderTest({ env: { LOG_LEVEL: 'debug' } });
console.log('started', Date.now() - t0);
await h.stop();
console.log('stopped');
