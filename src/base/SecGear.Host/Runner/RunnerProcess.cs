using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using SecGear.Images;
using SecGear.Transport;

namespace SecGear.Host.Runner;

/// <summary>
/// Supervision of one SecGear.Runner process, apart from the calls that go through its shared region
/// (<see cref="RunnerEnclave"/>), as Open Enclave keeps <c>create.c</c> apart from <c>calls.c</c>: starting it with
/// the engine's <see cref="RunnerLaunch"/>, reading and checking its start-up message, forwarding its log lines, noticing
/// when it exits, and stopping it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RunnerProcess : IDisposable
{
    private readonly Process _process;
    private readonly EnclaveLogRouter _logs;
    private readonly StringBuilder _stderr = new();

    private RunnerProcess(Process process, EnclaveLogRouter logs)
    {
        _process = process;
        _logs = logs;
    }

    /// <summary>The runner's process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the runner process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the runner for <paramref name="launch"/>; its standard error goes to the enclave's logs.</summary>
    /// <exception cref="EnclaveNotSupportedException">The runner is not where <see cref="EnclaveOptions.RunnerPath"/> (or the default) says.</exception>
    /// <exception cref="EnclaveLostException">The process could not be started.</exception>
    public static RunnerProcess Start(RunnerLaunch launch, EnclaveOptions options, EnclaveLogRouter logs)
    {
        Process process = Process.Start(CreateStartInfo(launch, options))
            ?? throw new EnclaveLostException("The enclave runner process could not be started.");
        var runner = new RunnerProcess(process, logs);
        process.ErrorDataReceived += (_, e) => runner.OnStandardError(e.Data);
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>
    /// Reads the start-up message (log records the enclave writes while it starts may precede it) within
    /// <see cref="EnclaveOptions.StartTimeout"/>, and checks it (<see cref="RunnerStartup"/>).
    /// </summary>
    /// <exception cref="EnclaveImageException">The runner refused the image.</exception>
    /// <exception cref="EnclaveLoadException">The runner could not load the enclave.</exception>
    /// <exception cref="EnclaveLostException">The runner exited, timed out, or sent a message that is unreadable or inconsistent.</exception>
    public RunnerReady ReadStartup(EnclaveOptions options)
    {
        var deadline = Stopwatch.StartNew();
        StartupMessage? startup = null;
        while (startup is null)
        {
            Task<string?> next = _process.StandardOutput.ReadLineAsync();
            TimeSpan left = options.StartTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !next.Wait(left))
            {
                throw new EnclaveLostException($"The enclave runner did not report ready within {options.StartTimeout.TotalSeconds:0.#} s.");
            }

            string? line = next.Result;
            if (line is null)
            {
                // After the process has exited, the parameterless wait also drains the standard-error reader.
                if (_process.WaitForExit(2000))
                {
                    _process.WaitForExit();
                }

                string reason;
                lock (_stderr)
                {
                    reason = _stderr.ToString().Trim();
                }

                throw new EnclaveLostException($"The enclave runner exited before it was ready{(reason.Length > 0 ? ": " + reason : ".")}");
            }

            StartupMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(line, ProtocolJson.Default.StartupMessage);
            }
            catch (JsonException ex)
            {
                throw new EnclaveLostException($"The enclave runner sent an unreadable start-up message: {ex.Message}", ex);
            }

            if (message is { Region: not null } or { Error: not null })
            {
                startup = message;
            }
            else if (JsonSerializer.Deserialize(line, ProtocolJson.Default.LogRecord) is { } record)
            {
                _logs.Log(record.Level, record.Category, record.Message);
            }
        }

        RunnerStartup.ThrowIfFailed(startup);
        return RunnerStartup.Check(startup, options);
    }

    /// <summary>
    /// After start-up: calls <paramref name="lost"/> when the runner exits or its standard output closes, and forwards
    /// the log lines it writes meanwhile.
    /// </summary>
    public void Watch(Action lost)
    {
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => lost();
        if (_process.HasExited)
        {
            lost();
        }

        var reader = new Thread(() => ReadOutput(lost)) { IsBackground = true, Name = $"SecGear runner {_process.Id} output" };
        reader.Start();
    }

    /// <summary>Stops the runner: end of file on its standard input, then a kill if it has not exited within 2 s.</summary>
    public void Stop()
    {
        try
        {
            // End of file on its standard input tells the runner to exit at once.
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000))
            {
                _process.Kill();
                _process.WaitForExit(2000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already exited, or never fully started: there is nothing left to stop.
            return;
        }
    }

    /// <summary>Kills the runner at once (one that failed to start properly gets no grace period).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(2000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
            return;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _process.Dispose();

    private static ProcessStartInfo CreateStartInfo(RunnerLaunch launch, EnclaveOptions options)
    {
        string runner = options.RunnerPath ?? DefaultRunnerPath();
        if (!File.Exists(runner))
        {
            throw new EnclaveNotSupportedException($"The {launch.Engine} engine cannot find its runner at '{runner}'. Reference SecGear.Host from the app project (it deploys the runner into secgear-runner/), or set EnclaveOptions.RunnerPath.");
        }

        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        if (runner.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            info.FileName = DotnetHost();
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(runner);
        }
        else
        {
            info.FileName = runner;
        }

        info.ArgumentList.Add("--image");
        info.ArgumentList.Add(launch.ImagePath);
        info.ArgumentList.Add("--max-payload");
        info.ArgumentList.Add(options.MaxPayloadBytes.ToString(CultureInfo.InvariantCulture));
        if ((launch.Flags & EnclaveFlags.Debug) != 0)
        {
            info.ArgumentList.Add("--debug");
        }

        foreach (string argument in launch.PlatformArguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (launch.Switchless is not null)
        {
            info.ArgumentList.Add("--switchless");
            info.ArgumentList.Add(launch.Switchless.ToArgument());
        }

        return info;
    }

    /// <summary>
    /// The runner deployed with its own dependencies in <c>secgear-runner/</c> beside SecGear.Host.dll (see
    /// SecGear.Host.csproj); an app laid out by other means may instead put SecGear.Runner.dll beside SecGear.Host.dll.
    /// </summary>
    private static string DefaultRunnerPath()
    {
        string directory = Path.GetDirectoryName(typeof(RunnerProcess).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;
        string deployed = Path.Combine(directory, "secgear-runner", "SecGear.Runner.dll");
        string beside = Path.Combine(directory, "SecGear.Runner.dll");
        return File.Exists(deployed) || !File.Exists(beside) ? deployed : beside;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // The muxer of the runtime this host runs on: <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet.
        string muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    private void OnStandardError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            if (_stderr.Length < 16 * 1024)
            {
                _stderr.AppendLine(line);
            }
        }

        _logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Runner", line);
    }

    private void ReadOutput(Action lost)
    {
        try
        {
            StreamReader output = _process.StandardOutput;
            while (output.ReadLine() is { } line)
            {
                try
                {
                    if (JsonSerializer.Deserialize(line, ProtocolJson.Default.LogRecord) is { } record)
                    {
                        _logs.Log(record.Level, record.Category, record.Message);
                    }
                }
                catch (JsonException)
                {
                    _logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Runner", line);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A throwing logger provider must not take the host down from this background thread.
                    continue;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed under us: the runner is gone either way.
        }

        lost();
    }
}
