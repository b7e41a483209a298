// What every benchmark scenario exports, so the dispatcher can list, run and judge them uniformly.

export interface ScenarioOutcome {
  /** False when a target was missed; the run still completes and writes its results. */
  passed: boolean;
}

export interface Scenario {
  description: string;
  /** Loaded lazily, so running one scenario never pays for another's imports. */
  load(): Promise<{ run(args: readonly string[]): Promise<ScenarioOutcome> }>;
}
