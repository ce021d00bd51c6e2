// Rendered to markup on the server side of React: no DOM (vitest.config.ts runs plain .ts tests in Node).
// The queries' answers are put into the cache first, as if the server had sent them.
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { keys } from "../api/hooks";
import type { ReportRow } from "../api/types";
import { after, before, jobDiff } from "../diff/fixtures";
import type { LoadedPage, ObjectChange, ObjectChangeDetail } from "./changes";
import { ChangeDetail, changesKey, ChangesStep } from "./ChangesStep";
import { initialWizard, type WizardState } from "./machine";
import { ReportStep } from "./ReportStep";

const render = (client: QueryClient, element: ReactElement) => renderToStaticMarkup(createElement(QueryClientProvider, { client }, element));

const change = (id: number, over: Partial<ObjectChange> = {}): ObjectChange => ({ id, type: "job", name: `job_${id}`, newName: "", change: "unchanged", message: "", counts: {}, ...over });

const atChanges = (): WizardState => ({
  ...initialWizard(),
  step: "changes",
  taskId: "t1",
  previews: 1,
  changes: { new: 34, changed: 112, unchanged: 9854, skipped: 0, failed: 0 },
  inspection: { jobs: [{ name: "job_1", exists: true }], scripts: [{ name: "s", exists: false }], resources: [], connections: [], missing: [] },
});

describe("the Changes step", () => {
  const client = new QueryClient();
  const first: LoadedPage = {
    offset: 0,
    count: 10_000,
    next: "?offset=200",
    previous: null,
    results: Array.from({ length: 200 }, (_, i) => change(i + 1, i === 0 ? { change: "changed", counts: { nodesModified: 1, properties: 2 } } : {})),
  };
  client.setQueryData([...changesKey(1, "t1", 1), "changes", null, null, ""], { pages: [first], pageParams: [0] });
  const html = render(client, createElement(ChangesStep, { s: atChanges(), dispatch: () => {}, ws: 1 }));

  it("says how many objects are new, changed and unchanged, with skip unchanged ticked", () => {
    expect(html).toContain('<p class="changes-summary" role="status">34 new, 112 changed, 9,854 unchanged</p>');
    expect(html).toMatch(/<input type="checkbox" checked=""\/>Skip unchanged objects/);
  });

  it("filters by change kind and by type, and searches by name", () => {
    expect(html).toMatch(/aria-label="Filter by change"><button[^>]*aria-pressed="false">New<span class="chip-count">34<\/span>/);
    expect(html).toContain('aria-label="Filter by type"');
    expect(html).toMatch(/aria-pressed="false">Scripts<\/button>/);
    expect(html).toContain('aria-label="Search changes by name"');
  });

  it("draws only the rows in view of a list of 10,000, each a button naming the object and what changed", () => {
    const rows = html.match(/role="listitem"/g) ?? [];
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(html).toContain(`height:${10_000 * 32}px`);
    expect(html).toContain('aria-setsize="10000" aria-posinset="1"');
    expect(html).toMatch(/<button type="button" aria-label="Changed job job_1: nodes ~1; 2 properties"><span class="change-badge change-badge-changed">Changed<\/span><span class="change-type">job<\/span><span class="change-name">job_1<\/span><span class="change-detail">nodes ~1; 2 properties<\/span><\/button>/);
  });
});

describe("one object's diff in the wizard", () => {
  const detail = (over: Partial<ObjectChangeDetail>) => ({ ...change(7), ...over }) as ObjectChangeDetail;
  const opened = (d: ObjectChangeDetail) => {
    const client = new QueryClient();
    client.setQueryData([...changesKey(1, "t1", 1), "change", d.id], d);
    client.setQueryData(keys.nodeTypes, []);
    return render(client, createElement(ChangeDetail, { ws: 1, taskId: "t1", queryKey: changesKey(1, "t1", 1), change: d, onBack: () => {} }));
  };

  it("shows a changed job's DAG coloured beside its property changes", () => {
    const html = opened(detail({ change: "changed", diff: jobDiff as never, before: before as never, after: after as never }));
    expect(html).toContain('aria-label="Changes of job job_7"');
    expect(html).toContain("← All changes");
    expect(html).toContain('aria-label="Differences: canvas"');
    expect(html).toContain("nodes: 1 added, 1 removed, 1 modified");
    expect(html).toMatch(/<tr class="diff-row diff-changed">.*properties\.database\.value/);
  });

  it("shows a new job with every node added, and a resource's property changes", () => {
    const fresh = opened(detail({ change: "new", diff: null as never, before: null as never, after: after as never }));
    expect(fresh).toContain("nodes: 3 added; edges: 2 added");
    const resource = opened(
      detail({ type: "resource", change: "changed", diff: { changed: true, properties: [{ path: "location", kind: "changed", old: "obs://a/x.jar", new: "obs://a/y.jar", secret: false }] } as never }),
    );
    expect(resource).toMatch(/aria-label="Property changes".*location.*&quot;obs:\/\/a\/x\.jar&quot;.*&quot;obs:\/\/a\/y\.jar&quot;/);
  });
});

describe("the report", () => {
  const row = (name: string, outcome: string): ReportRow => ({ type: "job", name, outcome, message: "" });

  it("says how many objects were left unchanged, and lists them", () => {
    const s: WizardState = {
      ...initialWizard(),
      step: "report",
      report: { created: [], overwritten: [], skipped: [], renamed: [], failed: [], unchanged: [row("doc1", "unchanged"), row("doc2", "unchanged")], summary: { unchanged: 2 } },
    };
    const html = renderToStaticMarkup(createElement(ReportStep, { s, onDownload: () => {}, downloadError: null }));
    expect(html).toContain("The import finished. 0 created, 0 overwritten, 2 unchanged, 0 skipped, 0 renamed.");
    expect(html).toMatch(/<h3>Unchanged \(2\)<\/h3><ul class="report-list"><li>job doc1<\/li><li>job doc2<\/li>/);
  });
});
