// The OpenAPI document (src/server/openapi.json, path in GPSI_OPENAPI or argv[2]) against the
// OpenAPI 3.0 meta-schema and its $refs, with @apidevtools/swagger-parser from web/node_modules.
import { createRequire } from 'node:module';
import path from 'node:path';

const web = process.env.GPSI_WEB_DIR ?? path.resolve(import.meta.dirname, '../../web');
const require = createRequire(path.join(web, 'package.json'));
const SwaggerParser = require('@apidevtools/swagger-parser');

const file = process.argv[2] ?? process.env.GPSI_OPENAPI;
try {
  const api = await SwaggerParser.validate(file);
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(1);
}
