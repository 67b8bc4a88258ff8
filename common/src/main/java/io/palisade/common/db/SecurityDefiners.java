package io.palisade.common.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The functions that run with their owner's rights (SECURITY DEFINER) see past row-level security, so each is a
 * hole in the isolation promise unless it is narrow, pinned and reachable only by the roles that need it. This
 * reads them from the live catalog and holds each against the allow-list ({@value #ALLOW_LIST}): one line per
 * function with the roles that may execute it and why it must see past the caller's scope. The same holds for the
 * policies a service role runs under that check no tenant (the upkeep scope's): each is named there with the scope
 * it admits, and must require that scope. Each service's catalog test and the isolation proof use it; a new definer
 * or tenant-blind policy without its line fails both.
 */
public final class SecurityDefiners {

    /** The allow-list, on every service's class path; docs/database.md explains it. */
    public static final String ALLOW_LIST = "db/security-definers.txt";

    /** How an allow-list reason marks a definer that a scoped transaction is still to replace. */
    static final String INTERIM = "interim:";

    /** The only search path a definer may run with: nothing a caller can create shadows what the body names. */
    static final String PINNED_SEARCH_PATH = "search_path=pg_catalog, pg_temp";

    /** How an allow-list line names a policy: {@code policy schema.table.policy}, {@code *} for every schema. */
    static final String POLICY = "policy ";

    /**
     * The bound of a policy on a user's own rows (their account, which belongs to no tenant; their memberships; a platform
     * admin's own support sessions): the row is the scope's user's.
     */
    static final String OWN_ROWS = "own";

    /** The bound of a policy on rows of no tenant (the platform's own audit events): the row has no tenant. */
    static final String TENANTLESS = "tenantless";

    /**
     * The bound of a policy for members: of the scope's tenant on rows that belong to no tenant (users), found through it;
     * or of the very tenant row read (a user's own tenants, under their own scope).
     */
    static final String MEMBER = "member";

    /** The bound of a policy for the platform's administrators (the platform's feed across tenants). */
    static final String PLATFORM_ADMIN = "platform_admin";

    /**
     * One allow-listed function (who may execute it) or policy ({@code executableBy}: the app.principal it must
     * require, or {@value #OWN_ROWS}), and why it exists.
     */
    public record Allowed(String function, Set<String> executableBy, String reason) {
    }

    /** A policy for a service role that checks no tenant, and what is wrong with it (nothing, when it passes). */
    public record TenantBlindPolicy(String schema, String policy, String command, String expression, String reason,
            List<String> problems) {

        public boolean pass() {
            return problems.isEmpty();
        }

        public Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("policy", policy);
            map.put("command", command);
            map.put("expression", expression);
            map.put("reason", reason);
            map.put("problems", problems);
            map.put("pass", pass());
            return map;
        }
    }

    /** One definer as the catalog describes it, and what is wrong with it (nothing, when it passes). */
    public record Definer(String schema, String function, boolean searchPathPinned, boolean publicExecute,
            Set<String> executableBy, String reason, List<String> problems) {

        public boolean pass() {
            return problems.isEmpty();
        }

        /** Allow-listed only until the one-data-path redesign replaces it with a scoped transaction. */
        public boolean interim() {
            return reason != null && reason.startsWith(INTERIM);
        }

        public Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("function", function);
            map.put("searchPathPinned", searchPathPinned);
            map.put("executableByPublic", publicExecute);
            map.put("executableBy", executableBy);
            map.put("reason", reason);
            map.put("problems", problems);
            map.put("pass", pass());
            return map;
        }
    }

    /**
     * Every definer and tenant-blind policy found, and problems that belong to no single one (allow-list lines nothing
     * matches).
     */
    public record Report(List<Definer> definers, List<TenantBlindPolicy> policies, List<String> problems) {

        public List<String> allProblems() {
            List<String> all = new ArrayList<>(problems);
            definers.stream().flatMap(d -> d.problems().stream().map(p -> d.function() + ": " + p)).forEach(all::add);
            policies.stream().flatMap(d -> d.problems().stream().map(p -> d.policy() + ": " + p)).forEach(all::add);
            return all;
        }

        public boolean pass() {
            return allProblems().isEmpty();
        }

        /** One line for a test's output: how many definers the schema has and how many fail. */
        public String summary(String schema) {
            long failing = definers.stream().filter(d -> !d.pass()).count();
            long interim = definers.stream().filter(Definer::interim).count();
            long failingPolicies = policies.stream().filter(p -> !p.pass()).count();
            return schema + ": " + definers.size() + " SECURITY DEFINER functions (" + interim + " interim), " + failing
                    + " failing; " + policies.size() + " tenant-blind policies, " + failingPolicies + " failing; "
                    + problems.size() + " stale allow-list lines";
        }
    }

    // proacl null means the default grant, which includes EXECUTE for PUBLIC (aclexplode of null is no row). The
    // owner's own right is not a grant.
    private static final String CATALOG = """
            select n.nspname as schema,
                   n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as function,
                   coalesce(p.proconfig, '{}') as config,
                   (select l.lanname from pg_language l where l.oid = p.prolang) as language,
                   p.proacl is null or exists (select 1 from aclexplode(p.proacl) a
                                                where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_execute,
                   array(select distinct pg_get_userbyid(a.grantee) from aclexplode(p.proacl) a
                          where a.grantee not in (0, p.proowner) and a.privilege_type = 'EXECUTE') as executable_by
              from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where p.prosecdef
               and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
               and ($1::text is null or n.nspname = $1)
             order by 2""";

    // Permissive policies that apply to a service role (PUBLIC, palisade_services or one of its members); which of them
    // bind no tenant is decided in Java (tenantBound).
    private static final String TENANT_BLIND_POLICIES = """
            select n.nspname as schema, n.nspname || '.' || c.relname || '.' || p.polname as policy,
                   case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE'
                        else 'ALL' end as command,
                   pg_get_expr(p.polqual, p.polrelid) as using_expression, pg_get_expr(p.polwithcheck, p.polrelid) as check_expression
              from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
             where p.polpermissive
               and exists (select 1 from unnest(p.polroles) r(oid)
                            where r.oid = 0
                               or r.oid = (select oid from pg_roles where rolname = 'palisade_services')
                               or exists (select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid
                                           where m.member = r.oid and g.rolname = 'palisade_services'))
               -- A policy of false admits nothing.
               and not (coalesce(pg_get_expr(p.polqual, p.polrelid), 'false') = 'false'
                        and coalesce(pg_get_expr(p.polwithcheck, p.polrelid), 'false') = 'false')
               and ($1::text is null or n.nspname = $1)
             order by 2""";

    private SecurityDefiners() {
    }

    /** The definers of one schema, or of every schema when {@code schema} is null, held against the allow-list. */
    public static Uni<Report> check(SqlClient client, String schema) {
        return client.preparedQuery(CATALOG).execute(Tuple.of(schema)).chain(functions -> client.preparedQuery(TENANT_BLIND_POLICIES)
                .execute(Tuple.of(schema)).map(policyRows -> {
                    Map<String, Allowed> allowed = allowList();
                    List<Definer> definers = Rows.all(functions, r -> definer(r, allowed.get(r.getString("function"))));
                    List<TenantBlindPolicy> policies = new ArrayList<>();
                    for (Row r : policyRows) {
                        if (!tenantBound(r.getString("using_expression")) || !tenantBound(r.getString("check_expression"))) {
                            policies.add(policy(r, allowedPolicy(allowed, r.getString("policy"))));
                        }
                    }
                    Set<String> schemas = new TreeSet<>();
                    if (schema != null) {
                        schemas.add(schema);
                    } else {
                        definers.forEach(d -> schemas.add(d.schema()));
                        policies.forEach(p -> schemas.add(p.schema()));
                    }
                    Set<String> found = new TreeSet<>();
                    definers.forEach(d -> found.add(d.function()));
                    policies.forEach(p -> {
                        found.add(POLICY + p.policy());
                        found.add(POLICY + "*" + p.policy().substring(p.policy().indexOf('.')));
                    });
                    List<String> problems = new ArrayList<>();
                    for (String entry : allowed.keySet()) {
                        String name = entry.startsWith(POLICY) ? entry.substring(POLICY.length()) : entry;
                        String entrySchema = name.substring(0, name.indexOf('.'));
                        if ((schemas.contains(entrySchema) || "*".equals(entrySchema) && !schemas.isEmpty()) && !found.contains(entry)) {
                            problems.add(entry + ": allow-listed in " + ALLOW_LIST + " but no such " + (entry.startsWith(POLICY) ? "policy" : "definer")
                                    + " exists (remove the line)");
                        }
                    }
                    return new Report(definers, policies, problems);
                }));
    }

    /** A row of the scope's tenant: its tenant_id, a tenant's own id, or an audit chain's key (the tenant id as text). */
    private static final List<String> TENANT_MATCH = List.of("(tenant_id = tenancy.current_tenant_id())", "(id = tenancy.current_tenant_id())",
            "(chain_key = (tenancy.current_tenant_id())::text)");

    /**
     * Whether a policy expression (absent: nothing to check) admits only rows of the scope's tenant: the tenant match is
     * one of its top-level conjuncts. A mention of the tenant anywhere else (in an OR, a subquery) binds nothing.
     */
    static boolean tenantBound(String expression) {
        return expression == null || topLevelConjuncts(expression).stream().anyMatch(TENANT_MATCH::contains);
    }

    /** pg_get_expr parenthesises fully: "((a) AND (b) AND (c))" is three conjuncts, "(a)" one, "((a) OR (b))" one. */
    static List<String> topLevelConjuncts(String expression) {
        String inner = expression.startsWith("(") && closingParenthesis(expression, 0) == expression.length() - 1
                ? expression.substring(1, expression.length() - 1) : expression;
        List<String> conjuncts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < inner.length(); i++) {
            char ch = inner.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')') {
                depth--;
            } else if (!quoted && depth == 0 && inner.startsWith(" AND ", i)) {
                conjuncts.add(inner.substring(start, i));
                start = i + " AND ".length();
            }
        }
        conjuncts.add(inner.substring(start));
        // A single conjunct is the whole expression again, parenthesised as pg_get_expr writes it.
        return conjuncts.size() == 1 ? List.of(expression) : conjuncts;
    }

    private static int closingParenthesis(String text, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** What a policy's bound on the allow-list requires as one of its top-level conjuncts (any one of these). */
    static List<String> boundConjuncts(String bound) {
        return switch (bound) {
            case OWN_ROWS -> List.of("(user_id = tenancy.current_user_id())", "(id = tenancy.current_user_id())",
                    "(platform_admin_id = tenancy.current_user_id())");
            case TENANTLESS -> List.of("(tenant_id IS NULL)");
            case MEMBER -> List.of("( SELECT tenancy.is_active_member(tenancy.current_tenant_id()) AS is_active_member)",
                    "tenancy.is_active_member(id)");
            case PLATFORM_ADMIN -> List.of("( SELECT tenancy.is_platform_admin() AS is_platform_admin)");
            default -> List.of("(current_setting('app.principal'::text, true) = '" + bound + "'::text)");
        };
    }

    private static Allowed allowedPolicy(Map<String, Allowed> allowed, String policy) {
        Allowed exact = allowed.get(POLICY + policy);
        return exact != null ? exact : allowed.get(POLICY + "*" + policy.substring(policy.indexOf('.')));
    }

    private static TenantBlindPolicy policy(Row r, Allowed allowed) {
        List<String> parts = new ArrayList<>();
        for (String column : List.of("using_expression", "check_expression")) {
            if (r.getString(column) != null) {
                parts.add(r.getString(column));
            }
        }
        String expression = String.join(" / ", parts);
        List<String> problems = new ArrayList<>();
        if (allowed == null) {
            problems.add("checks no tenant and is not on the allow-list " + ALLOW_LIST + " (" + r.getString("command") + ": " + expression + ")");
        } else if (allowed.executableBy().isEmpty()) {
            problems.add("the allow-list names no bound for it (an app.principal, or " + OWN_ROWS + ")");
        } else {
            for (String bound : allowed.executableBy()) {
                // The bound alone, or ANDed at the top with the rest, never ORed.
                List<String> required = boundConjuncts(bound);
                if (!parts.stream().allMatch(part -> topLevelConjuncts(part).stream().anyMatch(required::contains))) {
                    problems.add("does not require " + required.get(0) + " in every expression, as the allow-list's bound " + bound
                            + " says (" + expression + ")");
                }
            }
        }
        return new TenantBlindPolicy(r.getString("schema"), r.getString("policy"), r.getString("command"), expression,
                allowed == null ? null : allowed.reason(), problems);
    }

    private static Definer definer(Row r, Allowed allowed) {
        List<String> config = List.of(r.getArrayOfStrings("config"));
        boolean pinned = config.contains(PINNED_SEARCH_PATH);
        boolean publicExecute = r.getBoolean("public_execute");
        Set<String> executableBy = new TreeSet<>(List.of(r.getArrayOfStrings("executable_by")));
        List<String> problems = new ArrayList<>();
        if (!pinned) {
            problems.add("search_path is not pinned to pg_catalog, pg_temp");
        }
        if (publicExecute) {
            problems.add("PUBLIC may execute it");
        }
        if (!"plpgsql".equals(r.getString("language"))) {
            // A SQL function with SET search_path is never inlined and is planned anew on every call (docs/performance.md).
            problems.add("written in " + r.getString("language") + ", not PL/pgSQL, which keeps its plans");
        }
        if (allowed == null) {
            problems.add("not on the allow-list " + ALLOW_LIST + " (executable by " + executableBy + ")");
        } else if (!allowed.executableBy().equals(executableBy)) {
            problems.add("executable by " + executableBy + ", the allow-list says " + allowed.executableBy());
        }
        return new Definer(r.getString("schema"), r.getString("function"), pinned, publicExecute, executableBy,
                allowed == null ? null : allowed.reason(), problems);
    }

    /** The policies of one schema the allow-list names, as schema.table.policy (a {@code *} line for every schema). */
    public static List<String> listedPolicies(String schema) {
        List<String> listed = new ArrayList<>();
        for (String entry : allowList().keySet()) {
            if (entry.startsWith(POLICY)) {
                String name = entry.substring(POLICY.length());
                if (name.startsWith("*.")) {
                    listed.add(schema + name.substring(1));
                } else if (name.startsWith(schema + ".")) {
                    listed.add(name);
                }
            }
        }
        return listed;
    }

    /** The allow-list: {@code schema.function(argument types) | role, role | reason}; # starts a comment. */
    public static Map<String, Allowed> allowList() {
        Map<String, Allowed> allowed = new LinkedHashMap<>();
        try (InputStream in = SecurityDefiners.class.getClassLoader().getResourceAsStream(ALLOW_LIST)) {
            if (in == null) {
                throw new IllegalStateException(ALLOW_LIST + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\|", 3);
                if (parts.length != 3 || parts[2].isBlank()) {
                    throw new IllegalStateException(ALLOW_LIST + ":" + number + ": expected function | roles | reason");
                }
                Set<String> roles = new TreeSet<>();
                for (String role : parts[1].split(",")) {
                    if (!role.isBlank()) {
                        roles.add(role.strip());
                    }
                }
                Allowed entry = new Allowed(parts[0].strip(), roles, parts[2].strip());
                if (allowed.put(entry.function(), entry) != null) {
                    throw new IllegalStateException(ALLOW_LIST + ":" + number + ": " + entry.function() + " is listed twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return allowed;
    }
}
