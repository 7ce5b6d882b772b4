package org.nicflow.compiler.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.GATEWAY;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.NEXT_HOP_1;
import static org.nicflow.compiler.eval.EvalFixtures.PUBLIC_IP;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.testing.PropertyRun;

/**
 * Two VMs behind one SNAT address ping one remote host, with interleaved sessions of equal and
 * different identifiers, through a bridge that behaves as the switch does: an exact unified flow
 * carries every identifier of its pair alike, a flow sending to the controller has the evaluator
 * decide the packet, and the controller installs what the miss's flows are (a flow replaces the
 * one held for its match only when it moves the pair between the exact and the controller's path,
 * as the host partition does). The remote host answers every request it receives, in any order.
 * Every reply must reach exactly the VM that sent the request, with the identifier it sent: none
 * lost, none crossed. Seeded; replay with the {@code -Dnicflow.seed=...} a failure names.
 */
class EchoSessionsPropertyTest {

  private static final Config CONFIG = EvalFixtures.world()
      .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
      .rules("db1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
      .build();
  private static final String[] VMS = {"web1", "db1"};
  private static final int WORLDS = 200;
  private static final int STEPS = 80;

  @Test
  void twoVmsBehindOneSnatAddressEachGetExactlyTheirOwnReplies() {
    Map<String, Integer> tally = new TreeMap<>();
    PropertyRun run = PropertyRun.of("echo sessions", WORLDS);
    run.forEach((seed, random) -> new Bridge(tally).run(random));
    System.out.printf("[tally] echo sessions: %s%n", tally);
    if (run.runs() >= WORLDS) {
      assertThat(tally).as("coverage %s", tally).containsKeys("same identifier on both VMs",
          "identifier translated", "reply by the controller's path", "request by the controller's path");
      assertThat(tally).as("SNAT echo never rides an exact flow: %s", tally)
          .doesNotContainKeys("request by an exact flow", "reply by an exact flow");
    }
  }

  /** One host's bridge, its controller and the remote host. */
  private static final class Bridge {
    private final Map<String, Integer> tally;
    private final ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG);
    private final UnifiedFlowBuilder builder = new UnifiedFlowBuilder(CONFIG);
    private final ConnectionTable connections = new ConnectionTable();
    private final Map<FlowMatch, FlowEntry> unified = new HashMap<>();
    /** Replies the remote host has sent and the bridge has not yet received. */
    private final List<PacketHeaders> inFlight = new ArrayList<>();
    /** Per identifier on the public address: the VM and identifier of the session it stands for. */
    private final Map<Integer, String> sessionOfQueryId = new HashMap<>();
    private final Map<String, List<Integer>> idsByVm = new HashMap<>();

    Bridge(Map<String, Integer> tally) {
      this.tally = tally;
    }

    void run(Random random) {
      for (int step = 0; step < STEPS; step++) {
        if (!inFlight.isEmpty() && random.nextInt(3) == 0) {
          receiveReply(inFlight.remove(random.nextInt(inFlight.size())));
        } else {
          String vm = VMS[random.nextInt(VMS.length)];
          int id = random.nextInt(4) == 0 ? random.nextInt(65536) : 100 + random.nextInt(3);
          sendRequest(vm, id);
        }
      }
      while (!inFlight.isEmpty()) {
        receiveReply(inFlight.remove(random.nextInt(inFlight.size())));
      }
      List<Integer> web = idsByVm.getOrDefault("web1", List.of());
      if (idsByVm.getOrDefault("db1", List.of()).stream().anyMatch(web::contains)) {
        count("same identifier on both VMs");
      }
    }

    private void sendRequest(String vmName, int id) {
      Vm vm = CONFIG.vm(vmName).orElseThrow();
      idsByVm.computeIfAbsent(vmName, k -> new ArrayList<>()).add(id);
      PacketHeaders request = new PacketHeaders(vm.mac(), GATEWAY, Protocol.IPPROTO_ICMP, vm.ip(), INTERNET,
          PacketHeaders.ICMP_ECHO_REQUEST, 0, 0, id);
      FlowSimulation.Result out = through(new Ingress.VmPort(vm.host(), vmName), request, "request");
      assertThat(out.outputPort()).as("request of %s id %d leaves by the uplink", vmName, id).isEqualTo("host1-up");
      assertThat(out.packet().nwSrc()).isEqualTo(PUBLIC_IP);
      int queryId = out.packet().icmpId();
      String session = vmName + "/" + id;
      String before = sessionOfQueryId.putIfAbsent(queryId, session);
      assertThat(before).as("query id %d on the public address stands for one session", queryId)
          .isIn(null, session);
      if (queryId != id) {
        count("identifier translated");
      }
      inFlight.add(new PacketHeaders(NEXT_HOP_1, GATEWAY, Protocol.IPPROTO_ICMP, INTERNET, PUBLIC_IP,
          PacketHeaders.ICMP_ECHO_REPLY, 0, 0, queryId));
    }

    private void receiveReply(PacketHeaders reply) {
      String session = sessionOfQueryId.get(reply.icmpId());
      String vmName = session.substring(0, session.indexOf('/'));
      int id = Integer.parseInt(session.substring(session.indexOf('/') + 1));
      FlowSimulation.Result in = through(new Ingress.Uplink("host1"), reply, "reply");
      Vm vm = CONFIG.vm(vmName).orElseThrow();
      assertThat(in.outputPort()).as("reply for query id %d goes to %s", reply.icmpId(), vmName)
          .isEqualTo(vm.port());
      assertThat(in.packet().nwDst()).isEqualTo(vm.ip());
      assertThat(in.packet().icmpId()).as("reply to %s carries the identifier it sent", vmName).isEqualTo(id);
    }

    /** The packet through the bridge: its exact flow, or the controller (miss or controller path). */
    private FlowSimulation.Result through(Ingress ingress, PacketHeaders p, String what) {
      FlowEntry held = unified.get(builder.match(ingress, p));
      if (held != null && !toController(held)) {
        count(what + " by an exact flow");
        return FlowSimulation.apply(held, p);
      }
      if (held != null) {
        count(what + " by the controller's path");
      }
      Decision d = evaluator.evaluate(ingress, p, connections);
      assertThat(d.allowed()).as("%s %s is allowed: %s", what, p, d.dropReason()).isTrue();
      List<FlowEntry> flows = builder.flowsFor(ingress, p, d, connections);
      d.newConnections().forEach(connections::add);
      for (FlowEntry f : flows) {
        FlowEntry was = unified.get(f.match());
        if (was == null) {
          unified.put(f.match(), f);
        } else if (toController(was) != toController(f)) {
          unified.put(f.match(), f);
          count(toController(f) ? "pair moved to the controller's path" : "pair moved back to an exact flow");
        }
      }
      return new FlowSimulation.Result(d.packet(), d.output().orElseThrow().port(), 0);
    }

    private static boolean toController(FlowEntry f) {
      return f.actions().stream().anyMatch(a -> a instanceof FlowAction.OutputController);
    }

    private void count(String what) {
      tally.merge(what, 1, Integer::sum);
    }
  }
}
