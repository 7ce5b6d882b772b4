package org.nicflow.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of {@code ovs-appctl ofproto/trace} output that say what the bridge did with a packet:
 * the OpenFlow-level outputs (port names; {@code IN_PORT} resolved to the ingress port), whether it
 * went to the controller, the {@code Final flow:} fields (the traced {@code Flow:} when the final
 * flow is {@code unchanged}) and the {@code Datapath actions:} line.
 *
 * <p>Outputs are read at the OpenFlow level because the datapath cannot push a VXLAN header without
 * a route to the underlay ({@code native tunnel routing failed}): the datapath actions of a tunnel
 * output are empty even though the OpenFlow pipeline chose the tunnel port.
 */
record OfprotoTrace(List<String> outputs, boolean controller, Map<String, String> finalFlow, String datapathActions,
    String raw) {

  private static final Pattern OUTPUT = Pattern.compile("^\\s+output:(\\S+)\\s*$");
  private static final Pattern IN_PORT = Pattern.compile("^\\s+IN_PORT\\s*$");
  private static final Pattern CONTROLLER = Pattern.compile("^\\s+CONTROLLER:\\d+\\s*$");

  OfprotoTrace {
    outputs = List.copyOf(outputs);
    finalFlow = Map.copyOf(finalFlow);
  }

  /**
   * @param portNames OpenFlow port number to name, for the bridge traced
   * @param inPort the name of the port the packet was traced from
   */
  static OfprotoTrace parse(String text, Map<Integer, String> portNames, String inPort) {
    List<String> outputs = new ArrayList<>();
    boolean controller = false;
    Map<String, String> initialFlow = new LinkedHashMap<>();
    Map<String, String> finalFlow = new LinkedHashMap<>();
    boolean unchanged = false;
    String datapath = "";
    for (String line : text.split("\n")) {
      Matcher out = OUTPUT.matcher(line);
      if (out.matches()) {
        String port = out.group(1);
        outputs.add(port.chars().allMatch(Character::isDigit)
            ? portNames.getOrDefault(Integer.parseInt(port), "#" + port) : port);
      } else if (IN_PORT.matcher(line).matches()) {
        outputs.add(inPort);
      } else if (CONTROLLER.matcher(line).matches()) {
        controller = true;
      } else if (line.startsWith("Flow: ") && initialFlow.isEmpty()) {
        fields(line.substring("Flow: ".length()), initialFlow);
      } else if (line.startsWith("Final flow: ")) {
        String flow = line.substring("Final flow: ".length()).trim();
        unchanged = flow.equals("unchanged");
        fields(flow, finalFlow);
      } else if (line.startsWith("Datapath actions: ")) {
        datapath = line.substring("Datapath actions: ".length()).trim();
      }
    }
    if (datapath.contains("userspace(") && datapath.contains("controller(")) {
      controller = true;
    }
    return new OfprotoTrace(outputs, controller, unchanged ? initialFlow : finalFlow, datapath, text);
  }

  private static void fields(String flow, Map<String, String> into) {
    for (String part : flow.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        into.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
  }

  boolean dropped() {
    return outputs.isEmpty() && !controller;
  }

  /** One line: what the bridge did. */
  String summary() {
    if (controller) {
      return "controller (datapath actions: " + datapathActions + ")";
    }
    if (outputs.isEmpty()) {
      return "drop (datapath actions: " + datapathActions + ")";
    }
    return "output " + String.join("+", outputs) + " final " + finalFlowSummary();
  }

  String finalFlowSummary() {
    StringBuilder sb = new StringBuilder();
    for (String k : List.of("tun_id", "dl_src", "dl_dst", "nw_src", "nw_dst", "nw_tos", "tp_src", "tp_dst",
        "icmp_type", "icmp_code")) {
      if (finalFlow.containsKey(k)) {
        sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(finalFlow.get(k));
      }
    }
    return sb.toString();
  }
}
