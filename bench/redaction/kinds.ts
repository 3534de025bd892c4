/**
 * Secrets that hide in prose and flags, and tokens only secretlint's preset knows, for the redaction benchmark: on
 * top of the quality corpus's kinds (bench/quality/secrets.ts), which stay as they are so that the quality corpus
 * does not change. Each is planted where it turns up in sessions: typed by a person, in a command, in its output.
 * Values are random strings from the seeded generator, never real credentials.
 */
import type { Event } from '../quality/model.js';
import { ALNUM, type Rng } from '../quality/rng.js';
import type { SecretPlant } from '../quality/secrets.js';
import { fail, say, sh, user, type Ctx } from '../quality/world.js';

const WORDS = ['harbor', 'lantern', 'quay', 'tide', 'anchor', 'buoy', 'keel', 'mast', 'cargo', 'ferry', 'mango', 'kiwi'];
const SYMBOLS = '!#%&*+=?~';

const cap = (word: string) => word[0]?.toUpperCase() + word.slice(1);

/** A password a person would make up: words, digits and a symbol (`Kiwi88Lime!`), or a run of characters. */
function password(rng: Rng): string {
  if (rng.chance(0.3)) return `${rng.chars(rng.int(10, 16), ALNUM)}${rng.pick(SYMBOLS.split(''))}`;
  return `${cap(rng.pick(WORDS))}${rng.int(2, 999)}${cap(rng.pick(WORDS))}${rng.chance(0.5) ? rng.pick(SYMBOLS.split('')) : ''}`;
}

const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

interface Kind {
  kind: string;
  plant(c: Ctx): SecretPlant;
}

function planted(kind: string, value: string, where: string, events: Event[], needles = [value]): SecretPlant {
  return { kind, value, needles, where, events };
}

const KINDS: Kind[] = [
  {
    kind: 'password-in-prose',
    plant(c) {
      const value = password(c.rng);
      const text = c.rng.pick([
        `for the staging box the password ${value} still works`,
        `the password is ${value}, don't write it anywhere`,
        `I set the admin password to ${value} this morning`,
        `password: ${value} for staging, not prod`,
      ]);
      return planted(this.kind, value, 'typed by a person', [user(text), say('Noted; I will not store it.')]);
    },
  },
  {
    kind: 'pin',
    plant(c) {
      const digits = String(c.rng.int(1000, 99_999_999));
      const spelled = c.rng.chance(0.25);
      const value = spelled ? digits.slice(0, 4).split('').map((d) => DIGIT_NAMES[Number(d)]).join(' ') : digits;
      const text = c.rng.pick([`the staging pin is ${value}`, `pin ${value} opens the server room`, `PIN: ${value}`, `the door pin code is ${value}, ask before using it`]);
      return planted(this.kind, value, 'typed by a person', [user(text), say('Thanks.')]);
    },
  },
  {
    kind: 'mysql-password-flag',
    plant(c) {
      const value = password(c.rng).replace(/[!#%&*?~]/g, '');
      const client = c.rng.pick(['mysql', 'mysqldump', 'mariadb']);
      return planted(this.kind, value, 'in a command', [say('Checking the replica.', fail(`${client} -u root -p${value} -h db-replica.internal tidewater -e "select 1"`, "ERROR 2003 (HY000): Can't connect to MySQL server on 'db-replica.internal' (111)"))]);
    },
  },
  {
    kind: 'curl-user-password',
    plant(c) {
      const value = password(c.rng).replace(/[#&?]/g, '');
      const flag = c.rng.pick(['-u', '--user']);
      return planted(this.kind, value, 'in a command', [say('Triggering the build.', sh(`curl -sS ${flag} deploy:${value} https://ci.tidewater.dev/job/api/build`, 'Created'))]);
    },
  },
  {
    kind: 'client-password-flag',
    plant(c) {
      const value = password(c.rng).replace(/[#&?]/g, '');
      const command = c.rng.pick([`sshpass -p ${value} ssh deploy@10.0.3.7 uptime`, `redis-cli -h cache.internal -a ${value} ping`, `docker login -u ci --password ${value} ghcr.io`, `mongosh -u admin -p ${value} mongodb://mongo.internal/app`]);
      return planted(this.kind, value, 'in a command', [say('Checking the host.', sh(command, 'ok'))]);
    },
  },
  {
    kind: 'slack-webhook',
    plant(c) {
      const body = c.rng.chars(24, ALNUM);
      const url = `https://hooks.slack.com/services/T${c.rng.chars(8, ALNUM).toUpperCase()}/B${c.rng.chars(10, ALNUM).toUpperCase()}/${body}`;
      return planted(this.kind, url, 'in a command', [say('Posting the release note.', sh(`curl -sS -X POST -H 'Content-type: application/json' --data @note.json ${url}`, 'ok'))], [body]);
    },
  },
  {
    kind: 'discord-webhook',
    plant(c) {
      const body = c.rng.chars(68, `${ALNUM}_-`);
      const url = `https://discord.com/api/webhooks/${c.rng.int(100_000_000, 999_999_999)}${c.rng.int(100_000_000, 999_999_999)}/${body}`;
      return planted(this.kind, url, 'config read', [say('Where do alerts go?', sh('cat config/alerts.yaml', `alerts:\n  discord: ${url}\n  level: warn`))], [body.slice(0, 16), body.slice(-16)]);
    },
  },
  {
    kind: 'teams-webhook',
    plant(c) {
      const sig = c.rng.hex(32);
      const url = `https://tidewater.webhook.office.com/webhookb2/${c.rng.uuid()}@${c.rng.uuid()}/IncomingWebhook/${sig}/${c.rng.uuid()}`;
      return planted(this.kind, url, 'pasted by a person', [user(`post the summary to ${url} when done`), say('Will do.')], [sig]);
    },
  },
  {
    kind: 'aws-configure-set',
    plant(c) {
      const value = c.rng.chars(40, `${ALNUM}/+`);
      const name = c.rng.pick(['aws_secret_access_key', 'aws_session_token', 'default.aws_secret_access_key']);
      return planted(this.kind, value, 'in a command', [say('Configuring the CI profile.', sh(`aws configure set ${name} ${value} --profile ci`, ''))], [value.slice(0, 16), value.slice(-16)]);
    },
  },
  {
    kind: 'config-set-token',
    plant(c) {
      const value = c.rng.uuid();
      const command = c.rng.pick([`npm config set //registry.npmjs.org/:_authToken ${value}`, `yarn config set npmAuthToken ${value}`, `gh secret set DEPLOY_TOKEN --body ${value}`, `fly secrets set SENTRY_TOKEN=${value}`]);
      return planted(this.kind, value, 'in a command', [say('Setting the token.', sh(command, ''))]);
    },
  },
  {
    kind: 'mongodb-srv-password',
    plant(c) {
      const value = password(c.rng).replace(/[#?]/g, '');
      return planted(this.kind, value, 'error output', [say('Connecting to the cluster.', fail(`mongosh "mongodb+srv://app:${value}@cluster0.x1y2z.mongodb.net/tidewater"`, `MongoServerSelectionError: connection to mongodb+srv://app:${value}@cluster0.x1y2z.mongodb.net closed`))]);
    },
  },
  {
    kind: 'redis-url-password',
    plant(c) {
      const value = password(c.rng).replace(/[#?]/g, '');
      return planted(this.kind, value, 'env file printed', [say('Which cache?', sh('cat jobs/.env', `REDIS_URL=redis://:${value}@cache.internal:6379/0\nLOG_LEVEL=info`))]);
    },
  },
  {
    kind: 'ado-connection-password',
    plant(c) {
      const value = `${cap(c.rng.pick(WORDS))} ${c.rng.int(10, 99)} ${cap(c.rng.pick(WORDS))}`;
      const key = c.rng.pick(['Password', 'Pwd']);
      return planted(this.kind, value, 'config read', [say('Reading the reports config.', sh('cat Reports/appsettings.json', `{"ConnectionStrings": {"Reports": "Server=tcp:sql.internal,1433;Database=reports;User ID=sa;${key}=${value};Encrypt=true"}}`))]);
    },
  },
  {
    kind: 'shopify-token',
    plant(c) {
      const body = c.rng.hex(32);
      return planted(this.kind, `shpat_${body}`, 'in a command', [say('Listing products.', sh(`shop-sync --token shpat_${body} --region eu`, '12 products'))], [body]);
    },
  },
  {
    kind: 'linear-api-key',
    plant(c) {
      const body = c.rng.chars(40, ALNUM.toLowerCase().slice(0, 36));
      return planted(this.kind, `lin_api_${body}`, 'pasted by a person', [user(`the linear key for the sync is lin_api_${body}, it is read-only`), say('OK.')], [body.slice(0, 16), body.slice(-16)]);
    },
  },
];

/** The kinds this file adds. */
export const MORE_SECRET_KINDS = KINDS.map((k) => k.kind);

export function plantMore(kind: string, c: Ctx): SecretPlant {
  const k = KINDS.find((x) => x.kind === kind);
  if (!k) throw new Error(`unknown secret kind ${kind}`);
  return k.plant(c);
}
