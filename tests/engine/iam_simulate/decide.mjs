// Reads a JSON array of simulations (iam-simulate's `Simulation` shape) on stdin and writes, one per line,
// {"decision": "allowed" | "explicitDeny" | "implicitDeny" | "error", "ignored": [...], "error": ...}.
// Strict mode: every condition is evaluated against the request context as given.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const DECISIONS = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' }

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const simulations = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const out = []
for (const simulation of simulations) {
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    out.push(JSON.stringify({ decision: 'error', error: response.errors }))
  } else if (response.resultType === 'single') {
    out.push(JSON.stringify({ decision: DECISIONS[response.overallResult] ?? response.overallResult,
                              ignored: response.result.ignoredContextKeys ?? [] }))
  } else {
    out.push(JSON.stringify({ decision: 'error', error: 'wildcard resource: ' + response.resultType }))
  }
}
process.stdout.write(out.join('\n') + '\n')
