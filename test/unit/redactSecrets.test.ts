import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets } from '../../server/text/redactSecrets';

test('passwords in URLs and secret-named assignments are hidden; the rest of the command line stays', () => {
  assert.equal(redactSecrets('env PORT=3000 DATABASE_URL=postgres://postgres:pa55w0rd@127.0.0.1:5432/db node dist/server.js'), 'env PORT=3000 DATABASE_URL=postgres://postgres:***@127.0.0.1:5432/db node dist/server.js');
  assert.equal(redactSecrets('API_TOKEN=abc123 JWT_SECRET="x y" db_password=\'q\' node app.js'), 'API_TOKEN=*** JWT_SECRET=*** db_password=*** node app.js');
  assert.equal(redactSecrets('node dist/server.js --port 3000'), 'node dist/server.js --port 3000');
  assert.equal(redactSecrets('curl http://127.0.0.1:3000/x'), 'curl http://127.0.0.1:3000/x', 'a port is not a password');
  assert.equal(redactSecrets('node app.js --db redis://:hunter2@localhost:6379'), 'node app.js --db redis://:***@localhost:6379');
});
