'use strict';
const crypto = require('node:crypto');
const { serve } = require('../../../deploy/lib/serve');

serve('auth', { '/token': () => ({ token: crypto.randomBytes(16).toString('hex'), expiresIn: 3600 }) });
