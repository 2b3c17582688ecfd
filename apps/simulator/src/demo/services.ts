/** Where the demo reads from the running services over HTTP, and the read token it presents. */
export interface ServiceUrls {
  ingestor: string;
  monitor: string;
  orchestrator: string;
  clickhouse: string;
  /** Bearer token with the read role (docs/api-auth.md); scripts/demo.sh makes it for each run. */
  readToken: string;
}

export interface VersionAccuracy {
  accuracy: number | null;
  /** Labels in the rolling window the accuracy is computed over. */
  windowLabelled: number;
  /** CBPE's estimate over the latest window of predictions (null before the version's calibration is complete). */
  estimatedAccuracy: number | null;
}

interface GroupMetrics {
  modelVersion: string;
  segmentKey: string;
  labelledCount: number;
  metrics: Record<string, number | null>;
}

async function getJson<T>(url: string, token: string): Promise<T | null> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(1_500) });
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}

/** The monitor's live rolling accuracy of one version (null while it has no labelled window yet). */
export async function versionAccuracy(urls: ServiceUrls, modelId: string, version: string): Promise<VersionAccuracy | null> {
  const body = await getJson<{ groups: GroupMetrics[] }>(`${urls.monitor}/models/${modelId}/metrics`, urls.readToken);
  const group = body?.groups.find((g) => g.modelVersion === version && g.segmentKey === '');
  if (!group) return null;
  const number = (value: number | null | undefined) => (typeof value === 'number' ? value : null);
  return { accuracy: number(group.metrics.accuracy), windowLabelled: group.metrics.window_labelled ?? 0, estimatedAccuracy: number(group.metrics.estimated_accuracy) };
}

/** Incidents the orchestrator holds open for the model (null when it cannot be asked). */
export async function openIncidents(urls: ServiceUrls, modelId: string): Promise<number | null> {
  const body = await getJson<{ incidents: { status: string }[] }>(`${urls.orchestrator}/models/${modelId}/incidents`, urls.readToken);
  return body ? body.incidents.filter((i) => i.status === 'open').length : null;
}

interface DeploymentView {
  version: string;
  reason: string;
  deployedAt: string;
  incidentId: string | null;
  /** The API token that made it ('' when it came straight from Kafka). */
  changedBy: string;
}

export async function deploymentHistory(urls: ServiceUrls, modelId: string): Promise<DeploymentView[]> {
  const body = await getJson<{ deployments: DeploymentView[] }>(`${urls.orchestrator}/models/${modelId}/history`, urls.readToken);
  return body?.deployments ?? [];
}

/** Runs one query against ClickHouse over HTTP, as an analyst would with curl. */
export async function clickhouseQuery(urls: ServiceUrls, database: string, query: string): Promise<string> {
  const response = await fetch(`${urls.clickhouse}/?database=${encodeURIComponent(database)}`, {
    method: 'POST',
    body: query,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse answered ${response.status}: ${text.trim()}`);
  return text;
}
