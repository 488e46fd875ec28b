'use strict';
const { serve } = require('../../../deploy/lib/serve');

const products = [
  { id: 1, name: 'Mug', price: 9.5 },
  { id: 2, name: 'T-shirt', price: 19 },
];
serve('api', {
  '/api/products': () => products,
  '/api/orders': () => [],
});
