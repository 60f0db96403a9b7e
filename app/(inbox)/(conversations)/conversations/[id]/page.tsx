// One conversation open: the layout (kept across navigations, so the list keeps its place) shows it.
export default function ConversationPage() {
  return null;
}
