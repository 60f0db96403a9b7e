// The inbox with no conversation open: the layout renders the list and the empty thread pane.
export default function InboxPage() {
  return null;
}
