export default function Home() {
  return <main>A fresh app with Hookline installed from its tarballs.</main>;
}
