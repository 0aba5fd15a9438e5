package dev.jetway.gateway.path;

import dev.jetway.gateway.audit.AuditLog;

/**
 * The first stage: with the audit log on ({@code audit} in jetway.yaml), the request gets its
 * {@link dev.jetway.gateway.audit.RequestAudit}, which later stages and the exchange that carries the request feed and
 * which hands the request's one record to the log when the request ends, whichever way it ends (a local reply, the
 * response's end, a failure, the client going away: {@link GatewayRequest#end}). Nothing without the audit log.
 */
final class AuditStage implements RequestStage {

    private final AuditLog log;

    AuditStage(AuditLog log) {
        this.log = log;
    }

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (log != null) {
            request.audit(log.begin());
        }
        return StageResult.NEXT;
    }
}
