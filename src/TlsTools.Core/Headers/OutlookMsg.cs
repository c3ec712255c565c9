using System;
using System.Collections.Generic;
using System.Text;

namespace TlsTools.Headers;

/// <summary>
/// Reads the Internet headers of an Outlook .msg file: the PR_TRANSPORT_MESSAGE_HEADERS property
/// (0x007D, [MS-OXPROPS]) of the top-level message, stored as the stream
/// <c>__substg1.0_007D001F</c> (UTF-16LE) or <c>__substg1.0_007D001E</c> (8-bit) in the root storage
/// of a Compound File ([MS-CFB]; the .msg layout is [MS-OXMSG]). Only what that needs: header,
/// FAT (with DIFAT), directory, mini stream. Every index and chain is bounds-checked and every
/// loop is bounded by the file's sector count.
/// </summary>
internal static class OutlookMsg
{
    private static readonly byte[] s_magic = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint NoStream = 0xFFFFFFFF;

    internal static bool IsCompoundFile(byte[] head)
    {
        if (head.Length < s_magic.Length)
        {
            return false;
        }
        for (int i = 0; i < s_magic.Length; i++)
        {
            if (head[i] != s_magic[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The transport headers, or null with a reason (not a .msg, no headers, damaged).</summary>
    internal static string? TransportHeaders(byte[] file, out string? problem)
    {
        problem = null;
        try
        {
            var cfb = new Reader(file);
            foreach (var (name, entry) in cfb.RootChildren())
            {
                if (name.Equals("__substg1.0_007D001F", StringComparison.OrdinalIgnoreCase))
                {
                    return Encoding.Unicode.GetString(cfb.ReadStream(entry)).TrimEnd('\0');
                }
            }
            foreach (var (name, entry) in cfb.RootChildren())
            {
                if (name.Equals("__substg1.0_007D001E", StringComparison.OrdinalIgnoreCase))
                {
                    return Encoding.GetEncoding("ISO-8859-1").GetString(cfb.ReadStream(entry)).TrimEnd('\0');
                }
            }
            return null;
        }
        catch (InvalidDataException e)
        {
            problem = "The Outlook .msg file is damaged: " + e.Message;
            return null;
        }
    }

    private sealed class InvalidDataException : Exception
    {
        public InvalidDataException(string message)
            : base(message)
        {
        }
    }

    private sealed class Reader
    {
        private readonly byte[] _file;
        private readonly int _sectorSize;
        private readonly int _miniSectorSize;
        private readonly uint _miniCutoff;
        private readonly List<uint> _fat = new();
        private readonly List<uint> _miniFat = new();
        private readonly List<byte[]> _entries = new();
        private readonly long _sectorCount;
        private byte[]? _miniStream;

        public Reader(byte[] file)
        {
            _file = file;
            if (file.Length < 512)
            {
                throw new InvalidDataException("shorter than a compound file header");
            }
            int sectorShift = BitConverter.ToUInt16(file, 0x1E);
            int miniShift = BitConverter.ToUInt16(file, 0x20);
            if (sectorShift is not (9 or 12) || miniShift != 6)
            {
                throw new InvalidDataException("unexpected sector sizes");
            }
            _sectorSize = 1 << sectorShift;
            _miniSectorSize = 1 << miniShift;
            _sectorCount = (file.Length - _sectorSize + _sectorSize - 1) / _sectorSize;
            uint fatSectors = BitConverter.ToUInt32(file, 0x2C);
            uint firstDirectory = BitConverter.ToUInt32(file, 0x30);
            _miniCutoff = BitConverter.ToUInt32(file, 0x38);
            uint firstMiniFat = BitConverter.ToUInt32(file, 0x3C);
            uint firstDifat = BitConverter.ToUInt32(file, 0x44);

            // DIFAT: 109 entries in the header, then chained DIFAT sectors.
            var fatSectorIds = new List<uint>();
            for (int i = 0; i < 109 && fatSectorIds.Count < fatSectors; i++)
            {
                fatSectorIds.Add(BitConverter.ToUInt32(file, 0x4C + 4 * i));
            }
            uint difat = firstDifat;
            for (long guard = 0; fatSectorIds.Count < fatSectors && difat < EndOfChain - 3; guard++)
            {
                if (guard > _sectorCount)
                {
                    throw new InvalidDataException("DIFAT loop");
                }
                int offset = Offset(difat);
                int perSector = _sectorSize / 4 - 1;
                for (int i = 0; i < perSector && fatSectorIds.Count < fatSectors; i++)
                {
                    fatSectorIds.Add(BitConverter.ToUInt32(file, offset + 4 * i));
                }
                difat = BitConverter.ToUInt32(file, offset + 4 * perSector);
            }
            foreach (uint id in fatSectorIds)
            {
                int offset = Offset(id);
                for (int i = 0; i < _sectorSize / 4; i++)
                {
                    _fat.Add(BitConverter.ToUInt32(file, offset + 4 * i));
                }
            }
            byte[] directory = ReadChain(firstDirectory, long.MaxValue, false);
            for (int i = 0; i + 128 <= directory.Length; i += 128)
            {
                var entry = new byte[128];
                Buffer.BlockCopy(directory, i, entry, 0, 128);
                _entries.Add(entry);
            }
            if (_entries.Count == 0)
            {
                throw new InvalidDataException("no directory");
            }
            if (firstMiniFat < EndOfChain - 3)
            {
                byte[] miniFat = ReadChain(firstMiniFat, long.MaxValue, false);
                for (int i = 0; i + 4 <= miniFat.Length; i += 4)
                {
                    _miniFat.Add(BitConverter.ToUInt32(miniFat, i));
                }
            }
        }

        public IEnumerable<(string Name, byte[] Entry)> RootChildren()
        {
            uint child = BitConverter.ToUInt32(_entries[0], 76);
            var seen = new HashSet<uint>();
            var stack = new Stack<uint>();
            if (child != NoStream)
            {
                stack.Push(child);
            }
            while (stack.Count > 0)
            {
                uint id = stack.Pop();
                if (id >= _entries.Count || !seen.Add(id))
                {
                    continue;
                }
                byte[] e = _entries[(int)id];
                int nameBytes = Math.Min((int)BitConverter.ToUInt16(e, 64), 64);
                string name = nameBytes >= 2 ? Encoding.Unicode.GetString(e, 0, nameBytes - 2) : string.Empty;
                uint left = BitConverter.ToUInt32(e, 68);
                uint right = BitConverter.ToUInt32(e, 72);
                if (left != NoStream)
                {
                    stack.Push(left);
                }
                if (right != NoStream)
                {
                    stack.Push(right);
                }
                if (e[66] == 2)
                {
                    yield return (name, e);
                }
            }
        }

        public byte[] ReadStream(byte[] entry)
        {
            uint start = BitConverter.ToUInt32(entry, 116);
            long size = (long)BitConverter.ToUInt64(entry, 120);
            if (_sectorSize == 512)
            {
                size &= 0xFFFFFFFF;
            }
            if (size > _file.Length)
            {
                throw new InvalidDataException("a stream is larger than the file");
            }
            if (size < _miniCutoff)
            {
                _miniStream ??= ReadChain(BitConverter.ToUInt32(_entries[0], 116), long.MaxValue, false);
                return ReadChain(start, size, true);
            }
            return ReadChain(start, size, false);
        }

        private byte[] ReadChain(uint start, long size, bool mini)
        {
            var output = new System.IO.MemoryStream();
            uint current = start;
            List<uint> table = mini ? _miniFat : _fat;
            int unit = mini ? _miniSectorSize : _sectorSize;
            long guard = 0;
            long limit = mini ? (_miniStream!.Length / _miniSectorSize) + 1 : _sectorCount + 1;
            while (current < EndOfChain - 3 && output.Length < size)
            {
                if (++guard > limit)
                {
                    throw new InvalidDataException("a sector chain loops");
                }
                if (mini)
                {
                    long offset = (long)current * _miniSectorSize;
                    if (offset + unit > _miniStream!.Length)
                    {
                        throw new InvalidDataException("a mini sector lies outside the mini stream");
                    }
                    output.Write(_miniStream, (int)offset, unit);
                }
                else
                {
                    output.Write(_file, Offset(current), unit);
                }
                if (current >= table.Count)
                {
                    throw new InvalidDataException("a sector is outside the allocation table");
                }
                current = table[(int)current];
            }
            byte[] data = output.ToArray();
            if (size != long.MaxValue && data.Length > size)
            {
                Array.Resize(ref data, (int)size);
            }
            return data;
        }

        private int Offset(uint sector)
        {
            long offset = ((long)sector + 1) * _sectorSize;
            if (offset + _sectorSize > _file.Length)
            {
                throw new InvalidDataException("a sector lies outside the file");
            }
            return (int)offset;
        }
    }
}
