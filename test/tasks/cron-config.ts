/**
 * A cron config module, as `rqts cron test/tasks/cron-config.ts` loads it (the twin of test/python/cron_config.py
 * for `rq cron cron_config`): CRON_QUEUE and CRON_NAME come from the test.
 */
import { cron } from '../../src/index.js';

cron.register('mylib.add', { queueName: process.env.CRON_QUEUE!, args: [2, 3], interval: 1, name: process.env.CRON_NAME! });
