using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace TlsTools.Fuzz;

/// <summary>
/// TlsTools.Fuzz list
/// TlsTools.Fuzz seed CORPUS-DIR FIXTURES-DIR (writes the seed corpus)
/// TlsTools.Fuzz afl TARGET                 (under afl-fuzz, after SharpFuzz instrumented TlsTools.Core.dll)
/// TlsTools.Fuzz replay TARGET FILE...      (runs files through a target; exit 1 on a crash)
/// TlsTools.Fuzz mutate --corpus DIR [--seconds N] [--iterations N] [--seed N] [--crashes DIR] [TARGET...]
///   A bounded mutation pass without instrumentation: each target gets its share of the time and at
///   most N inputs, mutated from its seed corpus with a fixed random seed (the same run twice tries
///   the same inputs). Every crashing input is written to the crashes folder; exit 1 when any crashed.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] == "list")
        {
            foreach (string name in FuzzTargets.All.Keys)
            {
                Console.WriteLine(name);
            }
            return 0;
        }
        switch (args[0])
        {
            case "afl" when args.Length == 2 && FuzzTargets.All.TryGetValue(args[1], out Action<byte[]>? target):
                SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var ms = new MemoryStream();
                    stream.CopyTo(ms);
                    target(ms.ToArray());
                });
                return 0;
            case "replay" when args.Length >= 3 && FuzzTargets.All.TryGetValue(args[1], out Action<byte[]>? target):
                return Replay(target, args.Skip(2));
            case "seed" when args.Length == 3:
                return Seeds.Write(args[1], args[2]);
            case "mutate":
                return Mutate(args.Skip(1).ToArray());
            default:
                Console.Error.WriteLine("usage: list | afl TARGET | replay TARGET FILE... | mutate --corpus DIR [--seconds N] [--iterations N] [--seed N] [--crashes DIR] [TARGET...]");
                return 2;
        }
    }

    private static int Replay(Action<byte[]> target, IEnumerable<string> files)
    {
        int crashes = 0;
        foreach (string file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"CRASH {file}: {e}");
            }
        }
        return crashes == 0 ? 0 : 1;
    }

    private static int Mutate(string[] args)
    {
        string? corpus = null;
        string crashDir = Path.Combine(Path.GetTempPath(), "tlstools-fuzz-crashes");
        double seconds = 60;
        long iterations = 20000;
        int seed = 12;
        var targets = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--corpus": corpus = args[++i]; break;
                case "--crashes": crashDir = args[++i]; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--iterations": iterations = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: targets.Add(args[i]); break;
            }
        }
        if (corpus is null || !Directory.Exists(corpus))
        {
            Console.Error.WriteLine("mutate needs --corpus with one folder of seeds per target.");
            return 2;
        }
        if (targets.Count == 0)
        {
            targets.AddRange(FuzzTargets.All.Keys);
        }
        var unknown = targets.Where(t => !FuzzTargets.All.ContainsKey(t)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine("unknown target(s): " + string.Join(", ", unknown));
            return 2;
        }

        int crashed = 0;
        TimeSpan share = TimeSpan.FromSeconds(seconds / targets.Count);
        foreach (string name in targets)
        {
            string dir = Path.Combine(corpus, name);
            List<byte[]> seeds = Directory.Exists(dir)
                ? Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
                : new List<byte[]>();
            if (seeds.Count == 0)
            {
                seeds.Add(Array.Empty<byte>());
            }
            var result = new Mutator(seed).Run(FuzzTargets.All[name], seeds, iterations, share);
            foreach ((byte[] input, Exception error) in result.Crashes)
            {
                Directory.CreateDirectory(Path.Combine(crashDir, name));
                string file = Path.Combine(crashDir, name, "crash-" + Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(input)).ToLowerInvariant());
                File.WriteAllBytes(file, input);
                Console.WriteLine($"CRASH {name}: {error.GetType().FullName}: {error.Message}");
                Console.WriteLine(input.Length <= 300
                    ? $"      input ({input.Length} bytes, base64): {Convert.ToBase64String(input)}"
                    : $"      input: {input.Length} bytes");
                Console.WriteLine($"      saved: {file}");
                Console.WriteLine("      " + (error.StackTrace ?? string.Empty).Split('\n').FirstOrDefault(l => l.Contains("TlsTools", StringComparison.Ordinal))?.Trim());
            }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "fuzz {0,-16} {1,7} inputs in {2,5:0.0} s, {3} seeds, {4} crash(es), slowest {5} ms",
                name, result.Executions, result.Elapsed.TotalSeconds, seeds.Count, result.Crashes.Count, result.SlowestMs));
            crashed += result.Crashes.Count;
        }
        Console.WriteLine(crashed == 0 ? "fuzz: no crash" : $"fuzz: {crashed} crash(es)");
        return crashed == 0 ? 0 : 1;
    }
}

/// <summary>Byte-level mutations of seed inputs (bit flips, interesting values, inserts, deletes, splices).</summary>
internal sealed class Mutator
{
    private static readonly byte[] Interesting = { 0x00, 0x01, 0x7F, 0x80, 0x81, 0xFF, 0x82, 0x84, 0x30, 0x0A, 0x0D, 0x20, 0x2D, 0x3B, 0x3D };
    private readonly Random _random;

    public Mutator(int seed) => _random = new Random(seed);

    public (long Executions, TimeSpan Elapsed, List<(byte[], Exception)> Crashes, long SlowestMs) Run(
        Action<byte[]> target, List<byte[]> seeds, long maxExecutions, TimeSpan budget)
    {
        var crashes = new List<(byte[], Exception)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        long executions = 0;
        long slowest = 0;
        // The seeds themselves first, then mutants.
        var queue = new Queue<byte[]>(seeds);
        while (executions < maxExecutions && watch.Elapsed < budget)
        {
            byte[] input = queue.Count > 0 ? queue.Dequeue() : Mutate(seeds);
            long start = watch.ElapsedMilliseconds;
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                // One report per exception type and place.
                string key = e.GetType().FullName + "|" + (e.StackTrace ?? string.Empty).Split('\n').FirstOrDefault();
                if (seen.Add(key) && crashes.Count < 20)
                {
                    crashes.Add((input, e));
                }
            }
            slowest = Math.Max(slowest, watch.ElapsedMilliseconds - start);
            executions++;
        }
        return (executions, watch.Elapsed, crashes, slowest);
    }

    private byte[] Mutate(List<byte[]> seeds)
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int rounds = 1 + _random.Next(_random.Next(2) == 0 ? 2 : 8);
        for (int r = 0; r < rounds; r++)
        {
            int op = _random.Next(8);
            int pos = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (op)
            {
                case 0 when data.Count > 0:
                    data[pos] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[pos] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2 when data.Count > 0:
                    data[pos] = (byte)_random.Next(256);
                    break;
                case 3:
                    {
                        int n = 1 + _random.Next(16);
                        for (int i = 0; i < n; i++)
                        {
                            data.Insert(Math.Min(pos, data.Count), (byte)_random.Next(256));
                        }
                        break;
                    }
                case 4 when data.Count > 0:
                    data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + _random.Next(32)));
                    break;
                case 5 when data.Count > 0:
                    {
                        // Repeat a piece: long lines, deep nesting, many records.
                        int len = Math.Min(data.Count - pos, 1 + _random.Next(64));
                        byte[] piece = data.GetRange(pos, len).ToArray();
                        int times = 1 + _random.Next(_random.Next(4) == 0 ? 200 : 4);
                        for (int i = 0; i < times && data.Count < 256 * 1024; i++)
                        {
                            data.InsertRange(pos, piece);
                        }
                        break;
                    }
                case 6:
                    {
                        byte[] other = seeds[_random.Next(seeds.Count)];
                        if (other.Length > 0)
                        {
                            int from = _random.Next(other.Length);
                            int len = Math.Min(other.Length - from, 1 + _random.Next(128));
                            data.InsertRange(Math.Min(pos, data.Count), new ArraySegment<byte>(other, from, len));
                        }
                        break;
                    }
                case 7 when data.Count > 0:
                    data.RemoveRange(pos, data.Count - pos);
                    break;
            }
        }
        return data.ToArray();
    }
}
