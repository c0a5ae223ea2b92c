export function App() {
  return (
    <main>
      <h1>Earshot</h1>
      <p>Drop audio or video files here to transcribe them.</p>
    </main>
  );
}
