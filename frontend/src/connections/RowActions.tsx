/** A row's Edit and Delete buttons, named after the row so that a test (and a screen reader) tells them apart. */
export function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <>
      <button type="button" className="link-button" aria-label={`Edit ${name}`} onClick={onEdit}>
        Edit
      </button>{" "}
      <button type="button" className="link-button" aria-label={`Delete ${name}`} onClick={onDelete}>
        Delete
      </button>
    </>
  );
}
