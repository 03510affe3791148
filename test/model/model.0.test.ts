// Model-based test, shard 1 of 2: seeded histories through every registered source and the real cursor.
import { defineModelSuite } from './suite';

defineModelSuite(0, 2);
