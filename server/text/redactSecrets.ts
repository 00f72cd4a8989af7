// A command line as PerfLens shows it (status bar, reports, messages): passwords in URLs and the
// values of environment assignments that name a secret are replaced by ***, so that
// `env DATABASE_URL=postgres://app:s3cret@db/x node server.js` does not end up in a JSON report
// kept by CI. Pure.

/** `scheme://user:password@` → `scheme://user:***@`. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]+@/gi;
/** `API_TOKEN=…`, `DB_PASSWORD=…`, `SECRET_KEY=…` (a word naming a secret anywhere in the variable's name). */
const SECRET_ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/gi;

export function redactSecrets(commandLine: string): string {
  return commandLine.replace(URL_PASSWORD, '$1:***@').replace(SECRET_ASSIGNMENT, '$1=***');
}
