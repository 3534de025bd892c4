import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact, redactText, redactTextValue, redactValue, RULE_NAMES, RULES, rulesAsked } from '../../../src/sessions/redact.js';

// Secrets are assembled at run time so that no scanner mistakes this file for a leak.
const j = (...parts: string[]): string => parts.join('');

const SECRETS: [kind: string, text: string, secret: string][] = [
  ['anthropic-key', j('export ANTHROPIC=', 'sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK-aBcDeFgHiJ'), j('sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK')],
  ['openai-key', j('key: ', 'sk-', 'proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56'), j('sk-', 'proj-Ab12Cd34')],
  ['openai-key', j('use ', 'sk-', 'T3BlbkFJ4x9Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6Lz9Xc2Vb'), 'T3BlbkFJ4x9Qw2Er5'],
  ['github-token', j('git push https://', 'ghp_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'), j('ghp_', 'aB3dE5')],
  ['github-token', j('token ', 'gho_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'), 'aB3dE5fG7hJ9kL1'],
  ['github-token', j('GH=', 'github_pat_', '11ABCDEFG0a1b2c3d4e5f6_g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2G3'), '11ABCDEFG0a1b2c3d4e5f6'],
  ['aws-access-key-id', j('aws_access_key_id = ', 'AKIA', 'Z7QW4MX2PL9RT3NV'), j('AKIA', 'Z7QW4MX2PL9RT3NV')],
  ['aws-secret-access-key', j('aws_secret_access_key = ', 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r'), 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r'],
  ['google-api-key', j('maps?key=', 'AIza', 'SyD3x9Qk2Lm7Np4Rt8Vw1Zb6Cf0Gh5Jk-Ps'), j('AIza', 'SyD3x9Qk2Lm7')],
  ['slack-token', j('SLACK=', 'xoxb-', '1234567890-0987654321-Xq7vB2nM9kL4pR8sT1wZ'), 'Xq7vB2nM9kL4pR8sT1wZ'],
  ['stripe-key', j('stripe ', 'sk_live_', '51Hq2x9Kc3Lm7Np4Rt8Vw1Zb'), '51Hq2x9Kc3Lm7Np4Rt8Vw1Zb'],
  ['stripe-key', j('restricted ', 'rk_live_', '51Hq2x9Kc3Lm7Np4Rt8Vw1Zb'), '51Hq2x9Kc3Lm7Np4Rt8Vw1Zb'],
  ['bearer-token', 'curl -H "Authorization: Bearer 9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c" https://api.example.com', '9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c'],
  [
    'jwt',
    j('cookie=', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0', '.', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'),
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ],
  ['private-key', j('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA ', 'PRIVATE KEY-----'), 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo'],
  ['private-key', j('-----BEGIN ', 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ (log cut here)'), 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ'],
  ['url-password', 'git clone https://alice:s3cr3t-P4ss@github.com/org/repo.git', 's3cr3t-P4ss'],
  ['secret-assignment', 'PASSWORD=hunter2', 'hunter2'],
  ['secret-assignment', 'export DB_PASSWORD="correct horse battery staple"', 'correct horse battery staple'],
  ['secret-assignment', 'SECRET=abc123def', 'abc123def'],
  ['secret-assignment', 'GITLAB_TOKEN=glpat-x1y2z3w4', 'glpat-x1y2z3w4'],
  ['secret-assignment', 'API_KEY=zz-9911-ab', 'zz-9911-ab'],
  ['secret-assignment', 'client_secret: 7c0ffee-tea', '7c0ffee-tea'],
  ['secret-assignment', '{"password": "p@ssw0rd!", "user": "bob"}', 'p@ssw0rd!'],
  ['secret-assignment', 'const apiKey = "AbC123xYz789";', 'AbC123xYz789'],
  ['secret-assignment', 'PRIVATE_KEY=mykeymaterial42', 'mykeymaterial42'],
  ['secret-assignment', 'db.credentials = s3cr3t!', 's3cr3t!'],
  ['high-entropy', 'client_id = "Xk9fP2mQ7vL4nR8sT1wZ6yB3"', 'Xk9fP2mQ7vL4nR8sT1wZ6yB3'],
  ['password-in-prose', 'the password Sup3rS3cret!x works for the staging box', 'Sup3rS3cret!x'],
  ['password-in-prose', 'The password is Kiwi88Lime.', 'Kiwi88Lime'],
  ['password-in-prose', 'password: Sup3rS3cret!x for staging, not prod', 'Sup3rS3cret!x'],
  ['password-in-prose', 'the password for the staging db is "tide pool 42"', 'tide pool 42'],
  ['password-in-prose', 'I set the password to Harbor#Mast9 this morning', 'Harbor#Mast9'],
  ['password-in-prose', 'the admin password was changed to Quay-77-lantern yesterday', 'Quay-77-lantern'],
  ['password-in-prose', 'the wifi password is hunter2', 'hunter2'],
  ['pin', 'pin 4821', '4821'],
  ['pin', 'the staging pin is 4821, ask before using it', '4821'],
  ['pin', 'PIN: 80417', '80417'],
  ['pin', 'the door pin code 4821 opens the server room', '4821'],
  ['pin', 'the staging pin is four eight two one', 'four eight two one'],
  ['cli-password', 'mysql -u root -pMango7Tango -h db.internal app', 'Mango7Tango'],
  ['cli-password', 'mysqldump -uroot -p"Mango 7 Tango" app > dump.sql', 'Mango 7 Tango'],
  ['cli-password', 'docker exec -it db mariadb -u app -pKeel42buoy app', 'Keel42buoy'],
  ['cli-password', 'mariadb -u root -pvAcbwVUjAR -h db-replica.internal', 'vAcbwVUjAR'],
  ['cli-password', 'sshpass -p Kiwi88Lime ssh deploy@10.0.3.7', 'Kiwi88Lime'],
  ['cli-password', 'redis-cli -h cache -a Kiwi88Lime ping', 'Kiwi88Lime'],
  ['cli-password', 'docker login -u ci --password Kiwi88Lime ghcr.io', 'Kiwi88Lime'],
  ['cli-user-password', 'curl -u deploy:Kiwi88Lime https://ci.example.com/api/json', 'Kiwi88Lime'],
  ['cli-user-password', 'curl -sS --user "deploy:Kiwi 88 Lime" https://ci.example.com', 'Kiwi'],
  ['cli-user-password', 'http -a admin:Quay77lantern POST https://api.example.com/jobs', 'Quay77lantern'],
  ['webhook-url', j('curl -X POST https://hooks.slack.com/services/', 'T0A1B2C3D/B0A1B2C3D/q8Rk2mZLp4vN7xB1cT9wY3hJ'), 'q8Rk2mZLp4vN7xB1cT9wY3hJ'],
  ['webhook-url', j('DISCORD=https://discord.com/api/webhooks/', '112233445566778899/q8Rk2mZLp4vN7xB1cT9wY3hJ6fD0sGa5eQuK2r'), 'q8Rk2mZLp4vN7xB1cT9wY3hJ6fD0sGa5eQuK2r'],
  ['webhook-url', j('https://tidewater.webhook.office.com/webhookb2/', '0f8fad5b-d9cb-469f-a165-70867728950e@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/9c1f0e2d7a6b4c3d8e5f/1a2b3c4d'), '9c1f0e2d7a6b4c3d8e5f'],
  ['cli-secret-setting', j('aws configure set aws_secret_access_key ', 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r'), 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r'],
  ['cli-secret-setting', 'aws configure set aws_secret_access_key Kiwi88Lime --profile staging', 'Kiwi88Lime'],
  ['cli-secret-setting', 'aws configure set default.aws_session_token Kiwi88Lime', 'Kiwi88Lime'],
  ['cli-secret-setting', 'npm config set //registry.npmjs.org/:_authToken Kiwi88Lime', 'Kiwi88Lime'],
  ['cli-secret-setting', 'gh secret set DEPLOY_KEY --body Kiwi88Lime', 'Kiwi88Lime'],
  ['cli-secret-setting', 'fly secrets set STRIPE=Kiwi88Lime SENTRY_DSN=x', 'Kiwi88Lime'],
  ['url-password', 'redis://:Kiwi88Lime@cache.internal:6379/0', 'Kiwi88Lime'],
  ['url-password', 'mongodb+srv://app:Kiwi88Lime@cluster0.abcde.mongodb.net/app', 'Kiwi88Lime'],
  ['url-password', 'mysql://app:Kiwi88Lime@db:3306/app', 'Kiwi88Lime'],
  ['connection-string-password', 'Server=tcp:db.internal,1433;Database=app;User ID=sa;Password=Kiwi 88 Lime;Encrypt=true', 'Kiwi 88 Lime'],
  ['connection-string-password', 'Driver={ODBC Driver 18};Server=db;Uid=app;Pwd=Kiwi88Lime;', 'Kiwi88Lime'],
  ['high-entropy', 'session: Qm9vT2xLZ3J5UE5kM0tWcnlXeA', 'Qm9vT2xLZ3J5UE5kM0tWcnlXeA'],
];

const LOOK_ALIKES = [
  'commit 5c1b231a3e4d5f6a7b8c9d0e1f2a3b4c5d6e7f80 fixed it',
  'sha=5c1b231a3e4d5f6a7b8c9d0e1f2a3b4c5d6e7f80',
  'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'sessionId: fed8ce56-bc79-401f-a83e-af084253362f',
  '"uuid":"ed356c9b-5106-4a60-b082-60e90997ce2b"',
  'file_path: /Users/chip/dev/ai-music/diverse_musical_ai.py',
  'path=src/components/TodoItem2/NavUserAvatar.tsx',
  'name: useStickToBottomHookEnabled2',
  'The token limit is what makes long sessions fail; use a password manager and an API key vault.',
  'max_tokens=4096 input_tokens: 12 token_count = 7 TOKEN_LIMIT=100',
  'password: string;\nconst token = getToken();\ntoken = newToken\npassword = req.body.password;',
  'token: ${{ secrets.GITHUB_TOKEN }}\nPASSWORD=$DB_PASSWORD\napi_key: <your key here>\nPassword: ********',
  "tokenizer.add_special_tokens({'pad_token': '[PAD]'}) print(f\"Processing token: '{token}'\")",
  '"jsonwebtoken": "^9.0.2"',
  'token_duration = 0.5',
  'postgres://user:${DB_PASS}@localhost/db and https://github.com/foo@bar and git@github.com:org/repo.git',
  '"id":"toolu_01LjFNEf5XrVHXXTePS4tRFR","requestId":"req_011CPzYuqyBehXVMovbsLhUW"',
  'store memstore_01DFb2R8Smn29JPSgtz6vtPQ, version memver_01K3GfV42SQAmZ4Ra84ux98q, session sesn_01Hx7Qp2ZkLmN4bV9cR3tY8w',
  'risk-management-framework-configuration and desk-booking',
  'Error: Request failed with status code 401 (invalid x-api-key)',
  // Look-alikes of the rules for secrets in prose and flags.
  'the password field is required',
  'Password: ********',
  'password: <password>',
  'PASSWORD=$PASSWORD',
  'password: ${{ secrets.DB_PASSWORD }}',
  'the password is your-password',
  'the password must be at least 12 characters, or 16chars for admins',
  'the password manager is 1Password',
  'password reset link expires in 24h',
  'password: string;\nif password == confirm:\npassword = input("Password: ")\nconst password = generatePassword(16)',
  'mysql -p',
  'mysql -u root -p mydb',
  'mysql -u root -p -h db.internal',
  'mysql -P 3306 --protocol=tcp -u root -p',
  'curl -u root https://example.com',
  'curl -u "$USER:$PASS" https://example.com',
  'curl -u ${{ secrets.U }}:${{ secrets.P }} https://example.com',
  'docker run -u 1000:1000 node:20',
  'docker login --password-stdin',
  '-p, --password string   Password for the registry',
  'we pin node 20 and pin react to 18.2.0; pin: 1.2.3',
  'pinned version 4821, spinning 4821, mapping 1234, ping 8.8.8.8 4821',
  'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  'https://discord.com/api/webhooks/{id}/{token} and SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...',
  'aws configure set region eu-west-1; aws configure get aws_secret_access_key; aws configure set aws_access_key_id $KEY_ID',
  'git config --global credential.helper store; git config --global credential.helper "cache --timeout=3600"',
  'npm config set //registry.npmjs.org/:_authToken ${NPM_TOKEN}',
  'postgres://user:password@localhost:5432/app and redis://:${REDIS_PASSWORD}@cache:6379',
  'Server=db;Database=app;User ID=sa;Password=<password>;',
  'password; Pwd=abc',
];

describe('redact', () => {
  it.each(SECRETS)('redacts a %s', (kind, text, secret) => {
    const out = redact(text);
    expect(out).toContain(`[REDACTED:${kind}]`);
    expect(out).not.toContain(secret);
  });

  it('has a rule for every kind it produces, listed by name', () => {
    const kinds = new Set(SECRETS.map(([kind]) => kind));
    for (const kind of kinds) expect(RULE_NAMES).toContain(kind);
  });

  it.each(LOOK_ALIKES)('leaves a look-alike alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('keeps what surrounds a secret: the user and host of a URL, the name of a variable, quotes', () => {
    expect(redact('https://alice:s3cr3t-P4ss@github.com/x')).toBe('https://alice:[REDACTED:url-password]@github.com/x');
    // However short: a password of one character is a password.
    expect(redact('redis://:x@cache and https://u:p@h.example')).toBe('redis://:[REDACTED:url-password]@cache and https://u:[REDACTED:url-password]@h.example');
    expect(redact('export DB_PASSWORD="hunter2!"')).toBe('export DB_PASSWORD="[REDACTED:secret-assignment]"');
    expect(redact('Authorization: Bearer abcdef123456')).toBe('Authorization: Bearer [REDACTED:bearer-token]');
  });

  it('redacts a private key block whole and keeps the text after it', () => {
    const pem = j('-----BEGIN ', 'EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC ', 'PRIVATE KEY-----');
    expect(redact(`before\n${pem}\nafter`)).toBe('before\n[REDACTED:private-key]\nafter');
  });

  it('takes a password given in prose with its login, and leaves the login', () => {
    expect(redact('staging basic auth is admin / harbor-x7Kq-tide42! if the smoke test asks')).toBe('staging basic auth is admin / [REDACTED:login-password] if the smoke test asks');
    expect(redact('credentials: ci / s3cr3t-Pass')).toBe('credentials: ci / [REDACTED:login-password]');
    expect(redact('the login is by email / SSO, nothing to type')).toBe('the login is by email / SSO, nothing to type');
  });

  it('leaves published digests and template placeholders alone', () => {
    const integrity = '"integrity": "sha512-k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG3hJ9kL1zX7cV4bN8mQ2wE5rT6yU0iO3pA9sD4fG7hJ1kL2zX5cV8b=="';
    expect(redact(integrity)).toBe(integrity);
    const goSum = 'github.com/jackc/pgx/v5 v5.5.2 h1:Qk3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG3hJ9kL1=';
    expect(redact(goSum)).toBe(goSum);
    const template = 'Set ANTHROPIC_API_KEY=your-api-key-here in .env.local';
    expect(redact(template)).toBe(template);
    expect(redact('ANTHROPIC_API_KEY=k3Jd9q2PzLmN8vB7xT1yR4wE6uI0')).toBe('ANTHROPIC_API_KEY=[REDACTED:secret-assignment]');
  });

  it('is idempotent', () => {
    for (const [, text] of SECRETS) expect(redact(redact(text))).toBe(redact(text));
  });

  it('never throws, is idempotent and keeps plain text intact, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const once = redact(text);
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ,.]{0,200}$/), (text) => {
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('stays fast on pathological input', () => {
    const start = Date.now();
    const prose = ['password is ', 'the password ', 'pin ', 'pin is four ', 'mysql -p', 'mysql a', 'curl -u a:', 'curl x', 'config set password ', 'secrets set a=', 'Pwd=a;'];
    for (const unit of ['a.', 'token=', 'sk-', 'https://a:b', '-----BEGIN PRIVATE KEY-----', 'eyJabcdefghijkl.', 'https://hooks.slack.com/services/', ...prose]) {
      redact(unit.repeat(Math.floor(200_000 / unit.length)));
    }
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('redactValue', () => {
  it('redacts every string in a JSON value, deeply, and a secret-named key whole', () => {
    const input = {
      command: j('curl -H "Authorization: Bearer abcdef123456" -d ', 'AKIA', 'Z7QW4MX2PL9RT3NV'),
      env: { password: 'x1y2z3', token: 'tok', max_tokens: 4096, secret_name: 'prod-db' },
      list: [j('sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK'), 42, null, true],
      id: 'toolu_01LjFNEf5XrVHXXTePS4tRFR',
    };
    expect(redactValue(input)).toEqual({
      command: 'curl -H "Authorization: Bearer [REDACTED:bearer-token]" -d [REDACTED:aws-access-key-id]',
      env: { password: '[REDACTED:secret-assignment]', token: '[REDACTED:secret-assignment]', max_tokens: 4096, secret_name: 'prod-db' },
      list: ['[REDACTED:anthropic-key]', 42, null, true],
      id: 'toolu_01LjFNEf5XrVHXXTePS4tRFR',
    });
  });

  it('redacts a random-looking value under any key', () => {
    expect(redactValue({ client_id: 'Xk9fP2mQ7vL4nR8sT1wZ6yB3' })).toEqual({ client_id: '[REDACTED:high-entropy]' });
  });

  it('does not modify its input', () => {
    const input = { password: 'x1y2z3' };
    redactValue(input);
    expect(input.password).toBe('x1y2z3');
  });

  it('survives any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => redactValue(value)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('rule triggers', () => {
  // Pieces of every shape the rules look for, in upper and lower case, and runs of the characters their values use.
  const literal = fc.constantFrom(
    ...['-----BEGIN', ' RSA', ' PRIVATE KEY-----', '-----END PRIVATE KEY-----', ' BLOCK', 'sk-', 'ant-', 'proj-', 'gh', 'p_', 'o_', 'github_pat_'],
    ...['AKIA', 'ASIA', 'ACCA', 'aws_secret_access_key', 'AWS_SECRET_KEY', 'awssecretkey', 'gl', 'pat-', 'rt-', 'hf_', 'npm_', 'SG.', 'AccountKey='],
    ...['AIza', 'xoxb-', 'xoxp-', 'sk_live_', 'rk_test_', 'Authorization: Bearer ', 'AUTHORIZATION=Token ', 'authorization"', 'eyJ', '.'],
    ...['https://', 'git+ssh://', 'user', ':', '@', 'host', 'password', 'PASSWD', 'Token', 'api-key', 'apiKey', 'client_secret', 'Credentials'],
    ...[' = ', '=', ': ', '"', "'", '`', ' ', '\t', '\n', '/', '+', '_', '-', '(', ')', ',', 'é', '✓'],
    ...['mysql ', ' -p', ' -u ', 'curl ', ' --user ', 'sshpass', 'redis-cli', ' -a ', 'mongosh', '--db-password ', 'http ', ' is ', ' to ', ' was set to '],
    ...['pin', 'PIN ', ' pin code ', 'four ', 'eight', 'passphrase', 'pw', 'configure set ', 'config ', 'secrets set ', ' --body ', 'Pwd=', ';Server=', ';'],
    ...['https://hooks.slack.com/services/', 'https://discord.com/api/webhooks/', '.webhook.office.com/webhookb2/', 'redis://:', '4821', '!'],
  );
  const chars = (alphabet: string, minLength: number, maxLength = minLength) => fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength, maxLength });
  const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const alnum = chars(ALNUM, 8, 64);
  // Whole shapes of the rules whose patterns random pieces seldom complete.
  const shape = fc.oneof(
    fc.tuple(alnum, alnum).map(([a, b]) => `-----BEGIN RSA PRIVATE KEY-----\n${a}\n-----END RSA PRIVATE KEY-----${b}`),
    chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16).map((b) => `AKIA${b}`),
    chars(`${ALNUM}/+=`, 40).map((b) => `aws_secret_access_key = ${b}`),
    alnum.map((b) => `glpat-${b}${b}`),
    fc.tuple(alnum, alnum).map(([a, b]) => `SG.${a}${a}.${b}${b}`),
    chars(ALNUM, 35).map((b) => `AIza${b}`),
    fc.tuple(alnum, alnum, alnum).map(([a, b, c]) => `eyJ${a}${a}.${b}${b}.${c}`),
    fc.tuple(alnum, alnum).map(([user, pass]) => `https://${user}:${pass}@example.com`),
    fc.tuple(chars(ALNUM, 0, 3), chars(ALNUM, 1, 3)).map(([user, pass]) => `redis://${user}:${pass}@cache`),
    fc.tuple(alnum, alnum).map(([user, pass]) => `mysql -u ${user} -p${pass}1 db; curl -u ${user}:${pass} https://x; sshpass -p ${pass} ssh h`),
    fc.tuple(fc.constantFrom('password', 'PIN', 'passphrase'), fc.constantFrom(' is ', ': ', ' ', ' for staging was set to '), alnum).map(([word, link, value]) => `the ${word}${link}${value}7!`),
    chars('0123456789', 4, 8).map((digits) => `pin ${digits}`),
    fc.tuple(alnum, alnum).map(([a, b]) => `https://hooks.slack.com/services/T${a}/B${a}/${b} https://discord.com/api/webhooks/1${a}/${b}`),
    fc.tuple(alnum, alnum).map(([name, value]) => `aws configure set aws_secret_${name} ${value}; gh secret set ${name} --body ${value}; fly secrets set ${name}=${value}`),
    fc.tuple(alnum, alnum).map(([user, pass]) => `Server=db;Uid=${user};Pwd=${pass};Password=${pass}`),
  );
  const part = fc.oneof(literal, alnum, chars('aZ09Kx_-+/=.', 1, 64), fc.string({ maxLength: 4 }), shape, fc.tuple(literal, alnum).map(([a, b]) => a + b));
  const text = fc.array(part, { maxLength: 12 }).map((parts) => parts.join(''));

  it('every built-in rule has one', () => {
    expect(RULES.filter((rule) => !rule.trigger).map((rule) => rule.name)).toEqual([]);
  });

  /**
   * Whether the rule alone changes `t`: a match of its pattern that its check keeps (the matches redact() replaces,
   * one after the other, as String.replace finds them).
   */
  const changes = (rule: (typeof RULES)[number], t: string): boolean => {
    for (const m of t.matchAll(new RegExp(rule.pattern.source, rule.pattern.flags))) {
      const groups = m.groups ?? {};
      if (!rule.check || rule.check({ secret: groups.secret ?? m[0], groups, input: t, end: m.index + m[0].length })) return true;
    }
    return false;
  };

  it('holds for every text its rule changes, so that skipping a rule never lets a secret through', () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const rule of RULES) {
          if (changes(rule, t)) expect(rule.trigger?.(t, t.toLowerCase()) ?? true, `${rule.name}: ${JSON.stringify(t)}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  /** What the key scan of redact() reads as the text's keys: the text with ASCII letters in lower case. */
  const asciiLower = (t: string) => t.replace(/[A-Z]/g, (c) => c.toLowerCase());
  /** Whether one of a rule's keys is in `t`, as the key scan compares them. */
  const holdsKey = (rule: (typeof RULES)[number], t: string) => (rule.keys ?? []).some((key) => asciiLower(t).includes(key));

  it('keys hold for every text the pattern of their rule matches in, so that the one scan never lets a secret through', () => {
    const keyed = RULES.filter((rule) => rule.keys);
    fc.assert(
      fc.property(text, (t) => {
        for (const rule of keyed) {
          const pattern = new RegExp(rule.pattern.source, rule.pattern.flags);
          if (pattern.test(t)) {
            expect(holdsKey(rule, t), `${rule.name}: ${JSON.stringify(t)}`).toBe(true);
            expect(rulesAsked(t), `${rule.name}: ${JSON.stringify(t)}`).toContain(rule.name);
          }
        }
      }),
      { numRuns: 3000 },
    );
    for (const [, sample] of SECRETS) {
      for (const rule of keyed) if (new RegExp(rule.pattern.source, rule.pattern.flags).test(sample)) expect(rulesAsked(sample), rule.name).toContain(rule.name);
    }
  });

  it('every rule has keys or a trigger the scan works out, and no pattern of theirs is Unicode-aware (keys are compared ignoring ASCII case only)', () => {
    expect(RULES.filter((rule) => !rule.keys && !rule.scan).map((rule) => rule.name)).toEqual([]);
    expect(RULES.filter((rule) => rule.pattern.unicode || rule.pattern.flags.includes('v')).map((rule) => rule.name)).toEqual([]);
  });

  it('random-token and high-entropy are asked whenever they change a text, around separators, quotes, blanks and joiners', () => {
    // Their triggers follow the patterns' edges (where a value may start, what may border a token) and what their
    // check needs first (lower case, upper case and digits), so the texts are made of those: runs of token and value
    // characters of every length around 20, 28 and 512, random-looking or not, and what separates, quotes or joins them.
    const edge = fc.constantFrom(':', '=', '==', ' ', '\t', '"', "'", '.', '/', '+', '-', '_', ',', '\n', 'é', 'key', 'a:', 'x=', '"k": "', "k='", 'sha256:', 'call_');
    const lengths: [number, number][] = [[1, 8], [18, 22], [26, 32], [505, 520]];
    const alphabets = ['aZ09_-', 'aZ09+/=_-', 'kQ7xR2mP9vL4', ALNUM, `${ALNUM}+/=_-`, 'abcdef0123'];
    const run = fc.tuple(fc.constantFrom(...alphabets), fc.constantFrom(...lengths)).chain(([alphabet, [min, max]]) => chars(alphabet, min, max));
    const text = fc.array(fc.oneof(edge, run), { maxLength: 9 }).map((parts) => parts.join(''));
    const rules = RULES.filter((rule) => rule.name === 'random-token' || rule.name === 'high-entropy');
    expect(rules).toHaveLength(2);
    let changed = 0;
    fc.assert(
      fc.property(text, (t) => {
        for (const rule of rules) {
          if (!changes(rule, t)) continue;
          changed++;
          expect(rule.trigger?.(t, t.toLowerCase()), `${rule.name}: ${JSON.stringify(t)}`).toBe(true);
          expect(rulesAsked(t), `${rule.name}: ${JSON.stringify(t)}`).toContain(rule.name);
        }
      }),
      { numRuns: 5000 },
    );
    // The texts made hold secrets these rules take, often enough for the property to say something.
    expect(changed).toBeGreaterThan(500);
  });

  it('the scan is written twice, for strings of one and of two bytes a character, and the two copies are the same', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../src/sessions/redact.ts', import.meta.url)), 'utf8');
    const body = (name: string) => {
      const start = source.indexOf(`function ${name}(text: string): RuleSet {`);
      expect(start, name).toBeGreaterThan(0);
      return source.slice(source.indexOf('{', start), source.indexOf('\n}\n', start));
    };
    expect(body('scanWide')).toBe(body('scanNarrow'));
    expect(body('scanNarrow').length).toBeGreaterThan(1000);
  });

  it('the scan works out the triggers of random-token and high-entropy as the triggers do, in any text', () => {
    // The scan does in one pass what hasLoneToken and hasAssignedValue do in one each: the same answer for texts made
    // of their edges and runs (lengths around each bound, text before and after, characters beyond ASCII), and any.
    const edge = fc.constantFrom(':', '=', ' = ', ': "', "='", ' ', '\t', '"', "'", '.', '/', '+', '-', '_', '\n', 'é', '✓', '—', '→', 'x:', 'k=', '"k": "', 'sha256:');
    const lengths: [number, number][] = [[0, 4], [18, 22], [26, 30], [508, 516]];
    const alphabets = ['aZ9', 'aZ09_-', 'aZ09+/=_-', 'kQ7xR2', `${ALNUM}+/=_-`, 'abc012', 'ABC012', 'abcABC'];
    const run = fc.tuple(fc.constantFrom(...alphabets), fc.constantFrom(...lengths)).chain(([alphabet, [min, max]]) => chars(alphabet, min, max));
    const made = fc.array(fc.oneof(edge, run, fc.string({ maxLength: 6 })), { maxLength: 8 }).map((parts) => parts.join(''));
    const scannedRules = RULES.filter((rule) => rule.scan);
    expect(scannedRules.map((rule) => rule.name).sort()).toEqual(['high-entropy', 'random-token']);
    let held = 0;
    fc.assert(
      fc.property(fc.oneof(made, text, fc.string({ maxLength: 80, unit: 'binary' })), (t) => {
        const asked = rulesAsked(t);
        for (const rule of scannedRules) {
          const trigger = rule.trigger?.(t, t.toLowerCase()) ?? false;
          if (trigger) held++;
          expect(asked.includes(rule.name), `${rule.name}: ${JSON.stringify(t)}`).toBe(trigger);
        }
      }),
      { numRuns: 8000 },
    );
    // Both answers come up often enough for the property to say something.
    expect(held).toBeGreaterThan(1000);
  });

  it('holds for the secrets of this file', () => {
    for (const [, sample] of SECRETS) {
      for (const rule of RULES) {
        if (changes(rule, sample)) expect(rule.trigger?.(sample, sample.toLowerCase()) ?? true, rule.name).toBe(true);
      }
    }
  });
});

describe('redactValue', () => {
  it('redacts a secret used as an object key, and keeps ordinary keys', () => {
    const token = `ghp_${'k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG'}`;
    const out = redactValue({ [token]: true, path: 'src/app.ts' });
    expect(JSON.stringify(out)).not.toContain(token);
    expect(out).toHaveProperty('path', 'src/app.ts');
  });
});

describe('redactText: the table, then secretlint', () => {
  it('takes what only secretlint knows, naming the kind after its rule', () => {
    const shopify = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    const linear = j('lin_api_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4');
    expect(redact(`${shopify} and ${linear}`)).toBe(`${shopify} and ${linear}`);
    expect(redactText(`token ${shopify} and ${linear}.`)).toBe('token [REDACTED:secretlint-shopify] and [REDACTED:secretlint-linear].');
  });

  it('leaves nothing of a key whose range secretlint reports short (its AWS rule starts the range at the name)', () => {
    const key = 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r';
    const text = `aws_secret_access_key => '${key}'`;
    expect(redact(text)).toBe(text);
    const out = redactText(text);
    expect(out).toContain('[REDACTED:secretlint-aws]');
    for (let i = 0; i + 8 <= key.length; i++) expect(out).not.toContain(key.slice(i, i + 8));
  });

  it('is not switched off by a secretlint-disable comment in the text', () => {
    const shopify = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(redactText(`// secretlint-disable\nconst k = "${shopify}"; // secretlint-disable-line`)).not.toContain(shopify);
  });

  it('keeps the host and user of a connection string whose password the table took', () => {
    const text = 'postgres://app:Kiwi88Lime@db.internal:5432/app';
    expect(redactText(text)).toBe('postgres://app:[REDACTED:url-password]@db.internal:5432/app');
  });

  it('redacts every kind of the table as redact does', () => {
    for (const [kind, text, secret] of SECRETS) {
      const out = redactText(text);
      expect(out, kind).not.toContain(secret);
      expect(out, kind).toContain('[REDACTED:');
    }
  });

  it.each(LOOK_ALIKES)('leaves a look-alike alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('is idempotent and never throws, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const once = redactText(text);
        expect(redactText(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
    for (const [, text] of SECRETS) expect(redactText(redactText(text))).toBe(redactText(text));
  });

  it('stays fast on pathological input', () => {
    const start = Date.now();
    for (const unit of ['https://a:b@', 'mongodb://a:b@', 'xoxb-1-', 'hooks.slack.com/services/T1/B1/', 'aws_secret_key=', 'ghp_', 'shpat_']) {
      redactText(unit.repeat(Math.floor(200_000 / unit.length)));
    }
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('redactTextValue', () => {
  const mapStrings = (value: unknown, map: (text: string) => string): unknown => {
    if (typeof value === 'string') return map(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), mapStrings(v, map)]));
  };
  const shopify = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
  const secrets = [shopify, `use ${shopify} here`, ...SECRETS.map(([, text]) => text), 'plain text', 'postgres://app:Kiwi88Lime@db/app'];

  it('scans all strings at once and gives what redactText gives each string, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.constantFrom(...secrets), { maxLength: 6 }), (json, planted) => {
        const value = { json, planted, nested: { [planted[0] ?? 'k']: planted } };
        expect(redactTextValue(value)).toEqual(mapStrings(redactValue(value), redactText));
      }),
      { numRuns: 200 },
    );
  });

  it('redacts every string and key of a JSON value with both passes, and a secret-named key whole', () => {
    const shopify = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    const value = { system: [{ type: 'text', text: `memory: use ${shopify}` }], env: { password: 'x1y2z3' }, [shopify]: 1, n: 3 };
    expect(redactTextValue(value)).toEqual({
      system: [{ type: 'text', text: 'memory: use [REDACTED:secretlint-shopify]' }],
      env: { password: '[REDACTED:secret-assignment]' },
      '[REDACTED:secretlint-shopify]': 1,
      n: 3,
    });
  });
});
