import { presenceContract } from './contract.js';
import { MemoryPresence } from './memory.js';

presenceContract('in process', async () => new MemoryPresence());
