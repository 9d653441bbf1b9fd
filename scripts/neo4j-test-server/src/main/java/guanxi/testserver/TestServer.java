package guanxi.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * A throw-away Neo4j Community server for the guanxi test suite.
 *
 * <p>Runs an embedded {@link DatabaseManagementService} (Neo4j Community 5.26) whose only
 * network endpoint is the Bolt connector on {@code 127.0.0.1:<port>}, with authentication
 * switched on. Tests talk to it with the official Neo4j drivers exactly as they would talk to
 * a packaged server, but it needs nothing except a JDK and jars from Maven Central.
 *
 * <p>Usage:
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" guanxi.testserver.TestServer \
 *     --home DIR --port PORT [--pagecache 256m] [--config FILE] [--watch-stdin]
 * </pre>
 *
 * <p>{@code --config} names a file of further Neo4j settings, one {@code name=value} a line as in
 * {@code neo4j.conf}; the settings below (network, authentication) are applied after it and win.
 *
 * <p>The password of the built-in {@code neo4j} user comes from the environment variable
 * {@value #PASSWORD_VARIABLE}, never from the command line: a command line is visible to every
 * user in {@code ps}, and Neo4j writes it (the {@code sun.java.command} property) to its debug log.
 *
 * <p>{@code --home} is the Neo4j home directory; databases, transaction logs and Neo4j's own
 * log files live below it, so starting again on the same directory keeps the data (including
 * after a crash: Neo4j recovers from its transaction log). The password of the built-in
 * {@code neo4j} user is set on every start, without the "change required" flag, so a driver
 * can log in straight away. When Bolt accepts connections the process prints exactly one line
 * {@value #READY_PREFIX}{@code bolt://127.0.0.1:PORT} to stdout and then blocks until it is
 * stopped (SIGTERM/SIGINT shut the DBMS down cleanly via a shutdown hook). With
 * {@code --watch-stdin} it also shuts down when its stdin reaches end-of-file, i.e. when the
 * parent process that holds the other end of the pipe dies, so no server is left orphaned.
 *
 * <p>Exit codes: 0 after a clean stop, 2 for bad arguments, 1 if start-up fails.
 */
public final class TestServer {

    /** Marker printed (followed by the Bolt URI) once the server is ready for clients. */
    public static final String READY_PREFIX = "GUANXI-NEO4J-READY ";

    /** File in the home holding the SHA-256 of the password last set (see {@link #setAdminPassword}). */
    static final String PASSWORD_MARK = "guanxi-admin-password.sha256";

    /** The environment variable holding the password of the built-in user. */
    public static final String PASSWORD_VARIABLE = "GUANXI_TEST_SERVER_PASSWORD";

    private static final String HOST = "127.0.0.1";
    private static final String ADMIN_USER = "neo4j";
    private static final long DEFAULT_PAGECACHE_BYTES = 256L * 1024 * 1024;
    private static final long DATABASE_AVAILABLE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(2);
    private static final long BOLT_PROBE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(1);

    private TestServer() {}

    /** Parsed command-line options. */
    private record Options(
            Path home, int port, String password, long pagecacheBytes, Path config, boolean watchStdin) {}

    /** Thrown for unusable command-line arguments; reported with a usage text. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args, System.getenv(PASSWORD_VARIABLE));
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(
                    "usage: " + PASSWORD_VARIABLE + "=SECRET TestServer --home DIR --port PORT"
                            + " [--pagecache SIZE] [--config FILE] [--watch-stdin]");
            System.exit(2);
            return;
        }
        try {
            run(options);
        } catch (Throwable t) {
            System.err.println("GUANXI-NEO4J-FAILED " + t);
            t.printStackTrace(System.err);
            System.err.flush();
            // halt, not exit: a half-started DBMS may own non-daemon threads.
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(Options options) throws Exception {
        long mainStarted = System.nanoTime();
        Files.createDirectories(options.home());
        checkPortFree(options.port());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (options.watchStdin()) {
            Thread watcher = new Thread(TestServer::exitOnStdinEof, "guanxi-neo4j-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        Map<org.neo4j.graphdb.config.Setting<?>, Object> config = new HashMap<>();
        // Network: Bolt only, loopback only, plain text.
        config.put(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST));
        config.put(BoltConnector.enabled, true);
        config.put(BoltConnector.listen_address, new SocketAddress(HOST, options.port()));
        config.put(BoltConnector.advertised_address, new SocketAddress(HOST, options.port()));
        config.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        // Server-side routing would open a second listener (default :7688), which clashes when
        // several test servers run at once. The driver's bolt:// and neo4j:// schemes work
        // against a single instance without it.
        config.put(GraphDatabaseSettings.routing_enabled, false);
        // Authentication on, like production; no lock-out so "wrong password" tests cannot
        // lock the account for the following tests; short passwords allowed for tests.
        config.put(GraphDatabaseSettings.auth_enabled, true);
        config.put(GraphDatabaseSettings.auth_max_failed_attempts, 0);
        config.put(GraphDatabaseSettings.auth_minimum_password_length, 1);
        // Small and quick: modest page cache, no pre-allocated 256 MB log files, no phone-home.
        config.put(GraphDatabaseSettings.pagecache_memory, options.pagecacheBytes());
        config.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        config.put(GraphDatabaseSettings.udc_enabled, false);
        // Netty's graceful shutdown waits a 5 s "quiet period" per event loop group (two
        // groups, so a clean stop took > 10 s). Tests stop and restart servers often.
        config.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(options.home());
        if (options.config() != null) {
            builder.loadPropertiesFromFile(options.config());
        }
        DatabaseManagementService dbms = builder.setConfig(config)
                .setUserLogProvider(new Log4jLogProvider(out, Level.INFO))
                .build();

        long dbmsStarted = System.nanoTime();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    out.println("GUANXI-NEO4J-STOPPING");
                    try {
                        dbms.shutdown();
                    } finally {
                        stopped.countDown();
                    }
                },
                "guanxi-neo4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        for (GraphDatabaseService db : List.of(system, neo4j)) {
            if (!db.isAvailable(DATABASE_AVAILABLE_TIMEOUT_MS)) {
                throw new IllegalStateException("database '" + db.databaseName() + "' did not become available");
            }
        }
        long databasesAvailable = System.nanoTime();
        out.println("GUANXI-NEO4J-INFO " + setAdminPassword(system, options.home(), options.password()));
        long passwordSet = System.nanoTime();
        awaitBolt(options.port());

        out.println("GUANXI-NEO4J-TIMING dbms_build=" + millis(mainStarted, dbmsStarted)
                + "ms databases=" + millis(dbmsStarted, databasesAvailable)
                + "ms password=" + millis(databasesAvailable, passwordSet)
                + "ms bolt_probe=" + millis(passwordSet, System.nanoTime()) + "ms");
        out.println(READY_PREFIX + "bolt://" + HOST + ":" + options.port());
        out.flush();
        stopped.await();
    }

    /**
     * Gives the built-in {@code neo4j} user the requested password, without "change required".
     *
     * <p>Done through the embedded API on the system database (which bypasses authentication):
     * on a fresh store this replaces the default {@code neo4j/neo4j}; on an existing store Neo4j
     * refuses to "change" a password to the same value, which we accept, and a different password
     * replaces the old one. The SHA-256 of the password set is kept in the home
     * ({@link #PASSWORD_MARK}), so a restart with the same password skips the two system commands
     * (measured: 3.4 s of a 7.6 s restart). Returns a one-line note for the log.
     */
    private static String setAdminPassword(GraphDatabaseService system, Path home, String password)
            throws IOException {
        Path mark = home.resolve(PASSWORD_MARK);
        String digest = sha256(password);
        if (Files.isRegularFile(mark) && Files.readString(mark, StandardCharsets.US_ASCII).equals(digest)) {
            return "password of user '" + ADMIN_USER + "' set before";
        }
        String note;
        try {
            system.executeTransactionally(
                    "ALTER USER " + ADMIN_USER + " SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
            note = "password of user '" + ADMIN_USER + "' set";
        } catch (QueryExecutionException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (!message.contains("cannot be the same")) {
                throw e;
            }
            // Same password as before: make sure the "change required" flag is off anyway.
            system.executeTransactionally("ALTER USER " + ADMIN_USER + " SET PASSWORD CHANGE NOT REQUIRED");
            note = "password of user '" + ADMIN_USER + "' unchanged";
        }
        Files.writeString(mark, digest, StandardCharsets.US_ASCII);
        return note;
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /**
     * Fails fast if the Bolt port is taken. Neo4j binds it only after initialising every
     * database, which takes seconds; this check takes a millisecond. Like Netty, it uses
     * SO_REUSEADDR, so sockets in TIME_WAIT from a previous run on this port do not count.
     */
    private static void checkPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (BindException e) {
            throw new BindException("Bolt port " + HOST + ":" + port + " is not available: " + e.getMessage());
        }
    }

    /** Waits until a TCP connection to the Bolt port succeeds (the connector is listening). */
    private static void awaitBolt(int port) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOLT_PROBE_TIMEOUT_MS);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("Bolt connector did not accept connections on " + HOST + ":" + port, last);
    }

    /** Blocks reading stdin; on end-of-file (parent gone) exits, which runs the shutdown hook. */
    private static void exitOnStdinEof() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Input is ignored; only the end of the stream matters.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent is gone as well.
        }
        System.exit(0);
    }

    private static Options parse(String[] args, String password) throws UsageException {
        Path home = null;
        Integer port = null;
        long pagecache = DEFAULT_PAGECACHE_BYTES;
        Path config = null;
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--home" -> home = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--pagecache" -> pagecache = parseSize(value(args, ++i, arg));
                case "--config" -> config = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--watch-stdin" -> watchStdin = true;
                default -> throw new UsageException("unknown argument: " + arg);
            }
        }
        if (home == null || port == null) {
            throw new UsageException("--home and --port are required");
        }
        if (password == null || password.isEmpty()) {
            throw new UsageException("set the password in the environment variable " + PASSWORD_VARIABLE);
        }
        return new Options(home, port, password, pagecache, config, watchStdin);
    }

    private static String value(String[] args, int index, String option) throws UsageException {
        if (index >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[index];
    }

    private static int parsePort(String text) throws UsageException {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new UsageException("port out of range: " + text);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("not a port number: " + text);
        }
    }

    /** Parses sizes such as {@code 268435456}, {@code 512k}, {@code 256m} or {@code 1g}. */
    private static long parseSize(String text) throws UsageException {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long factor = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            factor = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long size = Long.parseLong(t) * factor;
            if (size <= 0) {
                throw new UsageException("size must be positive: " + text);
            }
            return size;
        } catch (NumberFormatException e) {
            throw new UsageException("not a size: " + text);
        }
    }
}
