// Rendered to markup on the server side of React: no DOM (vitest.config.ts runs plain .ts tests in Node).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { after, before, jobDiff, noChange, scriptDiff } from "./fixtures";
import { JobDiffView } from "./JobDiffView";
import { ScriptDiffView } from "./ScriptDiffView";

describe("JobDiffView", () => {
  const html = renderToStaticMarkup(createElement(JobDiffView, { diff: jobDiff, before, after, label: "Differences" }));

  it("says what changed, with a legend, beside the canvas", () => {
    expect(html).toContain('aria-label="Differences"');
    expect(html).toContain("nodes: 1 added, 1 removed, 1 modified");
    expect(html).toMatch(/<li class="diff-added">added<\/li><li class="diff-removed">removed<\/li><li class="diff-modified">changed<\/li>/);
    expect(html).toContain('aria-label="Differences: canvas"');
  });

  it("lists each property change with its path, before and after, and never a secret's value", () => {
    expect(html).toContain('aria-label="Property changes"');
    expect(html).toMatch(/<tr class="diff-row diff-changed">.*properties\.database\.value.*&quot;postgres&quot;.*&quot;analytics&quot;/);
    expect(html).toContain("load → report");
    expect(html).toContain("set (hidden)");
    // a node's row names it as a button that shows only its changes
    expect(html).toMatch(/<button[^>]*>load<\/button>/);
  });

  it("says when nothing differs", () => {
    const same = renderToStaticMarkup(createElement(JobDiffView, { diff: noChange, before: after, after }));
    expect(same).toContain("No differences");
    expect(same).not.toContain("<table");
  });
});

describe("ScriptDiffView", () => {
  const html = renderToStaticMarkup(createElement(ScriptDiffView, { diff: scriptDiff }));

  it("shows the content's line diff with numbers, added and removed lines marked", () => {
    expect(html).toContain('aria-label="Content differences"');
    expect(html).toMatch(/<tr class="line-del"><td class="line-no" aria-label="old line 2">2<\/td><td class="line-no"><\/td>.*removed: <\/span>SELECT 2;/);
    expect(html).toMatch(/<tr class="line-add">.*aria-label="new line 2">2<\/td>.*added: <\/span>SELECT 20;/);
    expect(html).not.toContain("--- before");
  });

  it("lists the other properties, a secret only as set or not", () => {
    expect(html).toContain("content: +1 −1 lines; 2 property changes");
    expect(html).toContain("database");
    expect(html).toContain("configuration[&quot;spark.password&quot;]");
    expect(html).toMatch(/set \(hidden\)<\/td><td class="change-new">—/);
  });

  it("says when the content is the same", () => {
    const same = renderToStaticMarkup(createElement(ScriptDiffView, { diff: { ...scriptDiff, contentDiff: [], linesAdded: 0, linesRemoved: 0 } }));
    expect(same).toContain("The content is the same.");
  });
});
