import { useEffect, useState } from 'react';

/** The time, renewed every `ms`: for text that moves with the clock ("Today", "LIVE"). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
