import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = {
  title: "Hookline example",
  description: "Durable workflows in a Next.js app: checkout, verification, approval, imports and runs.",
};

const SCENARIOS = [
  { href: "/checkout", label: "Checkout" },
  { href: "/verify", label: "Verification" },
  { href: "/approval", label: "Approval" },
  { href: "/import", label: "Import" },
  { href: "/answer", label: "Answer" },
  { href: "/runs", label: "Runs" },
];

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <div className="topbar-inner">
            <Link href="/" className="brand">
              Hookline <span>example</span>
            </Link>
            <nav className="nav">
              {SCENARIOS.map((s) => (
                <Link key={s.href} href={s.href}>
                  {s.label}
                </Link>
              ))}
            </nav>
          </div>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
