import { useEffect, useId, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { FOCUSABLE_SELECTOR, trapIndex } from "./focus";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  width?: number | string;
  /** Escape and the × button close unless this is false (e.g. while a request is on its way). */
  dismissable?: boolean;
  className?: string;
}

/**
 * A modal dialog: labelled by its title, focus kept inside (Tab wraps), Escape closes, and focus goes
 * back to where it was when it closes.
 */
export function Dialog({ title, onClose, children, footer, width = 560, dismissable = true, className }: DialogProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const dismissRef = useRef(dismissable);
  dismissRef.current = dismissable;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const node = ref.current;
    if (node) {
      const first =
        node.querySelector<HTMLElement>("[data-autofocus]") ??
        node.querySelector(".dialog-body")?.querySelector<HTMLElement>(FOCUSABLE_SELECTOR) ??
        node.querySelector<HTMLElement>(FOCUSABLE_SELECTOR);
      (first ?? node).focus();
    }
    return () => {
      if (previous && document.contains(previous)) previous.focus();
    };
  }, []);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === "Escape" && dismissRef.current) {
      event.stopPropagation();
      closeRef.current();
      return;
    }
    if (event.key !== "Tab" || !ref.current) return;
    const items = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE_SELECTOR)).filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    const next = trapIndex(items.length, items.indexOf(document.activeElement as HTMLElement), event.shiftKey);
    event.preventDefault();
    if (next >= 0) items[next].focus();
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={ref}
        className={`dialog ${className ?? ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        style={{ width }}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          {dismissable && (
            <button type="button" className="icon-button" aria-label="Close dialog" onClick={onClose}>
              ×
            </button>
          )}
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>,
    document.body,
  );
}
