import { signalsContract } from './contract.js';
import { LocalSignals } from './local.js';

// Two nodes in one process share one bus.
signalsContract('in process', async () => {
  const bus = new LocalSignals();
  return [bus, bus];
});
