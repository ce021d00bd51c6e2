import { useSession } from "./api/hooks";
import { isApiError } from "./api/client";
import { ConsoleProvider } from "./shell/ConsoleContext";
import { Shell } from "./shell/Shell";
import { ErrorNotice, Spinner } from "./ui/bits";

/** Loads the session (403 → the login page), then the console for the user's workspaces. */
export function App() {
  const session = useSession();
  if (session.isPending) {
    return (
      <div className="boot">
        <Spinner label="Loading DataArts Factory…" />
      </div>
    );
  }
  if (session.error) {
    if (isApiError(session.error) && (session.error.status === 401 || session.error.status === 403)) {
      const next = window.location.pathname + window.location.search;
      window.location.assign(`/login/?next=${encodeURIComponent(next)}`);
      return null;
    }
    return (
      <div className="boot">
        <ErrorNotice error={session.error} title="The console could not start." onRetry={() => void session.refetch()} />
      </div>
    );
  }
  if (!session.data.workspaces.length) {
    return (
      <div className="boot">
        <p>You are not a member of any workspace yet. Ask a workspace administrator to add you.</p>
      </div>
    );
  }
  return (
    <ConsoleProvider session={session.data}>
      <Shell />
    </ConsoleProvider>
  );
}
