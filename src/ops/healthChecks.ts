/** What the bot needs to be useful; each answers "is this part working right now?". */
export interface HealthChecks {
  gatewayConnected(): boolean;
  storeReachable(): Promise<boolean>;
  modelLoaded(): boolean;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  checks: { gateway: boolean; store: boolean; model: boolean };
}

/** Runs every check; one that throws, rejects or outlasts timeoutMs counts as failed, so this never hangs. */
export async function runHealthChecks(checks: HealthChecks, timeoutMs: number): Promise<HealthReport> {
  const [gateway, store, model] = await Promise.all([
    passes(() => checks.gatewayConnected(), timeoutMs),
    passes(() => checks.storeReachable(), timeoutMs),
    passes(() => checks.modelLoaded(), timeoutMs),
  ]);
  return { status: gateway && store && model ? 'ok' : 'unhealthy', checks: { gateway, store, model } };
}

async function passes(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    // Only a literal true passes: a check that resolves to undefined has not said "yes".
    return (await Promise.race([Promise.resolve().then(check), timedOut])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
