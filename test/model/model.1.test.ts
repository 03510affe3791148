// Model-based test, shard 2 of 2: seeded histories through every registered source and the real cursor.
import { defineModelSuite } from './suite';

defineModelSuite(1, 2);
