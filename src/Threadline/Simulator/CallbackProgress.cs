namespace Threadline.Simulator;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back synchronously on the reporting thread. <see cref="Progress{T}"/> would
/// post every report to the thread pool, which at thousands of reports per second only adds queueing.
/// </summary>
public sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
