'use strict';
const { serve } = require('../../../deploy/lib/serve');

let processed = 0;
setInterval(() => { processed += 1; }, 5000).unref();
serve('worker', { '/jobs': () => ({ processed }) });
