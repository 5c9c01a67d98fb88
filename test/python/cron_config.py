"""A cron config module for `rq cron cron_config` (RQ 2.5+), the twin of test/tasks/cron-config.ts."""
import os

from rq import cron

import mylib

cron.register(mylib.add, os.environ['CRON_QUEUE'], args=(2, 3), interval=1, name=os.environ['CRON_NAME'])
