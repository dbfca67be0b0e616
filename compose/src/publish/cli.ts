/**
 * npm run image:publish -- [--registry HOST[:PORT]] [--repo NAME] [--user USER] [--image REF]
 *                          [--password-stdin] [--docker-config DIR] [--allow-dirty] [--no-latest] [--dry-run]
 *
 * Tags the local rightsize-api image with its version, git sha and latest, and pushes them to
 * a registry (default Docker Hub, <user>/rightsize-api). Credentials: --user with the password
 * on stdin (--password-stdin), or RIGHTSIZE_REGISTRY_USER / RIGHTSIZE_REGISTRY_PASSWORD (or
 * DOCKERHUB_USERNAME / DOCKERHUB_TOKEN); without them, an existing `docker login` is used.
 * Prints the report (rightsize.publish/v1) as JSON on stdout.
 */
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { getComposeEnv } from '../config.js';
import { createDocker } from '../docker.js';
import { RightsizeError, isRightsizeError } from '../errors.js';
import { REPO_ROOT, packageVersion } from '../images/repo-info.js';
import { publishTargets } from './targets.js';
import { publish, type PublishReport } from './publish.js';

const USAGE = `usage: npm run image:publish -- [--registry HOST[:PORT]] [--repo NAME] [--user USER] [--image REF]
       [--password-stdin] [--docker-config DIR] [--allow-dirty] [--no-latest] [--dry-run]`;

export async function main(argv: string[], io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<PublishReport | undefined> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        registry: { type: 'string' },
        repo: { type: 'string' },
        user: { type: 'string' },
        image: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        'docker-config': { type: 'string' },
        'allow-dirty': { type: 'boolean', default: false },
        'no-latest': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', `${(err as Error).message}\n${USAGE}`);
  }
  if (v.help) {
    out.write(`${USAGE}\n`);
    return undefined;
  }
  const env = getComposeEnv();
  const user = v.user ?? env.RIGHTSIZE_REGISTRY_USER ?? env.DOCKERHUB_USERNAME;
  let password = env.RIGHTSIZE_REGISTRY_PASSWORD ?? env.DOCKERHUB_TOKEN;
  if (v['password-stdin']) {
    if (!user) throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', '--password-stdin needs --user (or RIGHTSIZE_REGISTRY_USER)');
    password = (await text(io.stdin ?? process.stdin)).replace(/\r?\n$/, '');
    if (!password) throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', '--password-stdin: stdin was empty');
  }
  const source = v.image ?? `rightsize-api:${await packageVersion(REPO_ROOT, 'inference-api/package.json')}`;
  const docker = createDocker(v['docker-config'] ? { env: { DOCKER_CONFIG: path.resolve(v['docker-config']) } } : {});
  const image = await docker.imageInspect(source);
  if (!image) throw new RightsizeError('PUBLISH_ERR_NO_IMAGE', `no local image ${source}: build it with \`npm run images\` (or pass --image)`);
  const targets = publishTargets({
    source,
    labels: image.Config?.Labels ?? {},
    registry: v.registry ?? env.RIGHTSIZE_REGISTRY,
    repository: v.repo ?? env.RIGHTSIZE_IMAGE_REPO,
    user,
    allowDirty: v['allow-dirty'],
    latest: !v['no-latest'],
  });
  if (v['dry-run']) {
    out.write(`${JSON.stringify({ dryRun: true, ...targets }, null, 2)}\n`);
    return undefined;
  }
  const report = await publish({
    docker,
    targets,
    credentials: user && password ? { username: user, password } : undefined,
    onLog: (line) => err.write(`publish: ${line}\n`),
  });
  out.write(`${JSON.stringify(report, null, 2)}\n`);
  return report;
}

if (process.argv[1]?.endsWith('publish/cli.ts')) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`image:publish: ${isRightsizeError(err) ? `${err.code}: ${err.message}` : (err as Error).stack}\n`);
      process.exit(2);
    },
  );
}
