'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { serve } = require('../../../deploy/lib/serve');

const page = fs.readFileSync(path.join(__dirname, '../public/index.html'), 'utf8')
  .replace('__VERSION__', process.env.RELEASE_VERSION ?? '0.0.0');
serve('web', { '/': () => page });
