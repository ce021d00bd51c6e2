import { useState } from "react";
import "./room.css";
import { ConnectionsTable } from "./ConnectionsTable";
import { EnvVars } from "./EnvVars";
import { ExternalObjects } from "./ExternalObjects";

const TABS = [
  { id: "connections", label: "Data Connections" },
  { id: "objects", label: "Other Objects" },
  { id: "variables", label: "Environment Variables" },
] as const;
type Tab = (typeof TABS)[number]["id"];

/** The Connections room: what jobs refer to by name, managed in one place. */
export function ConnectionsRoom() {
  const [tab, setTab] = useState<Tab>("connections");
  return (
    <section className="page connections-room" aria-label="Connections">
      <h1>Connections</h1>
      <div role="tablist" aria-label="Referable objects" className="pane-tabs">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`room-tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`room-${t.id}`} className={tab === t.id ? "active" : ""} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`room-${tab}`} aria-labelledby={`room-tab-${tab}`}>
        {tab === "connections" && <ConnectionsTable />}
        {tab === "objects" && <ExternalObjects />}
        {tab === "variables" && <EnvVars />}
      </div>
    </section>
  );
}
